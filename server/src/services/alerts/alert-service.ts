import type { PrismaClient } from '../../generated/prisma-sqlite/client.ts';
import { AuditAction } from '../audit/audit-events.ts';
import type { AuditService } from '../audit/audit-service.ts';
import { auditedTransaction } from '../audit/audited-transaction.ts';
import type { NewFinding } from '../cis/cis-repository.ts';
import { messageFor, type Regression, type RegressionAlert } from './alert-messages.ts';
import type { AlertWebhook } from './alert-webhooks.ts';

/** The actor alert audit rows name: the portal itself, not an admin. */
export const ALERT_ACTOR = 'portal';

export interface AlertServiceDeps {
  prisma: PrismaClient;
  audit: Pick<AuditService, 'append'>;
  webhooks: AlertWebhook[];
  /** Tries per delivery; waits baseDelayMs, 2x, 4x ... (with jitter) between them. */
  attempts: number;
  baseDelayMs?: number;
  timeoutMs?: number;
  portalUrl?: string | undefined;
  fetch?: typeof globalThis.fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  log?: { warn(details: object, message: string): void };
}

export interface DeliveryView {
  id: string;
  scanId: string;
  webhook: string;
  format: string;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

/** Whether an answer means "try again later" (AWS-style: timeouts, throttling, server trouble). */
const retryable = (status: number) => status === 408 || status === 429 || status >= 500;

/**
 * Alerts on regressing scans: one message per scan to each configured webhook, queued in the
 * database with its audit row, then delivered in the background with retries and back-off. A
 * delivery that keeps failing is marked failed (shown in the console, audited); it never holds
 * up or fails the scan.
 */
export function createAlertService(deps: AlertServiceDeps) {
  const {
    prisma,
    audit,
    webhooks,
    attempts,
    baseDelayMs = 1000,
    timeoutMs = 10_000,
    fetch = globalThis.fetch,
    sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now = () => new Date(),
  } = deps;
  const inflight = new Set<Promise<void>>();

  async function post(
    webhook: AlertWebhook,
    payload: unknown,
  ): Promise<{ ok: true } | { ok: false; error: string; retry: boolean }> {
    try {
      const response = await fetch(webhook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) return { ok: true };
      return { ok: false, error: `HTTP ${response.status}`, retry: retryable(response.status) };
    } catch (error) {
      // Only the error's kind: messages of network errors can repeat the URL.
      const name = error instanceof Error ? error.name : 'Error';
      return { ok: false, error: name === 'TimeoutError' ? 'timed out' : 'connection failed', retry: true };
    }
  }

  async function deliver(id: string, webhook: AlertWebhook, payload: unknown, scanId: string): Promise<void> {
    let last = 'not tried';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const result = await post(webhook, payload);
      if (result.ok) {
        await auditedTransaction(prisma, async (tx) => {
          await tx.alertDelivery.update({
            where: { id },
            data: { status: 'delivered', attempts: attempt, lastError: null, deliveredAt: now() },
          });
          await audit.append(
            {
              actor: ALERT_ACTOR,
              action: AuditAction.AlertDelivered,
              outcome: 'success',
              metadata: { scanId, webhook: webhook.label, attempts: attempt },
            },
            tx,
          );
        });
        return;
      }
      last = result.error;
      await prisma.alertDelivery.update({ where: { id }, data: { attempts: attempt, lastError: last } });
      if (!result.retry) break;
      if (attempt < attempts) await sleep(baseDelayMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5));
    }
    await auditedTransaction(prisma, async (tx) => {
      await tx.alertDelivery.update({ where: { id }, data: { status: 'failed', lastError: last } });
      await audit.append(
        {
          actor: ALERT_ACTOR,
          action: AuditAction.AlertFailed,
          outcome: 'failure',
          errorCode: 'alert_delivery_failed',
          metadata: { scanId, webhook: webhook.label, error: last },
        },
        tx,
      );
    });
    deps.log?.warn({ scanId, webhook: webhook.label, error: last }, 'alert delivery failed');
  }

  return {
    /**
     * Queues one message per webhook for a scan's regressions (none: nothing happens) and starts
     * delivering them. A scan is alerted at most once per webhook, whichever instance asks.
     */
    async notify(
      scan: { id: string; scannedAt: Date; accountId: string | null },
      findings: NewFinding[],
    ): Promise<void> {
      if (findings.length === 0 || webhooks.length === 0) return;
      const byCheck = new Map<string, Regression>();
      for (const f of findings) {
        const entry = byCheck.get(f.check) ?? { check: f.check, userNames: [] };
        entry.userNames.push(f.userName);
        byCheck.set(f.check, entry);
      }
      const alert: RegressionAlert = {
        scanId: scan.id,
        scannedAt: scan.scannedAt,
        accountId: scan.accountId,
        portalUrl: deps.portalUrl,
        regressions: [...byCheck.values()],
      };
      const queued = await auditedTransaction(prisma, async (tx) => {
        const existing = await tx.alertDelivery.count({ where: { scanId: scan.id } });
        if (existing > 0) return [];
        const rows = [];
        for (const webhook of webhooks) {
          const payload = messageFor(webhook.format, alert);
          const row = await tx.alertDelivery.create({
            data: {
              scanId: scan.id,
              webhook: webhook.label,
              format: webhook.format,
              status: 'pending',
              payload,
              createdAt: now(),
            },
          });
          rows.push({ row, webhook, payload });
        }
        await audit.append(
          {
            actor: ALERT_ACTOR,
            action: AuditAction.AlertQueued,
            outcome: 'success',
            metadata: {
              scanId: scan.id,
              webhooks: webhooks.map((w) => w.label).join(','),
              regressions: findings.length,
            },
          },
          tx,
        );
        return rows;
      });
      for (const { row, webhook, payload } of queued) {
        const task = deliver(row.id, webhook, payload, scan.id)
          .catch((error: unknown) =>
            deps.log?.warn(
              { scanId: scan.id, webhook: webhook.label, err: error instanceof Error ? error.name : 'error' },
              'alert delivery crashed',
            ),
          )
          .finally(() => inflight.delete(task));
        inflight.add(task);
      }
    },

    /** Recent deliveries, newest first, for the console (failed ones stand out there). */
    async deliveries(limit = 20): Promise<DeliveryView[]> {
      const rows = await prisma.alertDelivery.findMany({
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit,
      });
      return rows.map(({ payload: _payload, ...view }) => view);
    },

    /** Resolves when no delivery is in flight on this instance (tests, shutdown). */
    async idle(): Promise<void> {
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
  };
}

export type AlertService = ReturnType<typeof createAlertService>;
