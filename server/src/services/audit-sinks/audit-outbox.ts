import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../../generated/prisma-sqlite/client.ts';
import type { AuditRepository } from '../audit/audit-repository.ts';
import type { ServiceLog } from '../container.ts';
import type { LeaseStore } from '../leases/lease-store.ts';
import type { PortalMetrics } from '../metrics/portal-metrics.ts';
import { toSiemEvent } from './siem-event.ts';
import type { SinkCursorRepository } from './sink-cursor-repository.ts';
import type { AuditSink } from './sinks.ts';

export const AUDIT_SINK_LEASE = 'audit-sinks';

export interface AuditOutboxDeps {
  prisma: PrismaClient;
  auditRepository: Pick<AuditRepository, 'bySeqRange' | 'head'>;
  cursors: SinkCursorRepository;
  leases: Pick<LeaseStore, 'claim' | 'renew' | 'release'>;
  sinks: AuditSink[];
  metrics?: Pick<PortalMetrics, 'sinkDelivered' | 'sinkFailed' | 'sinkLag'>;
  log?: ServiceLog;
  batchSize?: number;
  /** How often an idle sink looks for new rows. */
  pollMs?: number;
  leaseTtlMs?: number;
  /** Retries after a failed delivery back off from pollMs up to this. */
  maxBackoffMs?: number;
  /** A seq missing this long (a rolled-back append) is passed over; until then delivery waits for it. */
  gapGraceMs?: number;
}

interface SinkState {
  sink: AuditSink;
  failures: number;
  gapSince: number | null;
}

/**
 * Streams the audit log to the SIEM sinks. The audit table is the outbox: each sink has a
 * cursor in the database (the last seq it took), and delivery reads the rows after it through
 * the audit repository, in seq order, sends them, and only then moves the cursor. So a sink that
 * is down gets everything when it returns, a restart resumes where the cursor stands (resending
 * at most the batch in flight: at least once, never skipping), and of several instances only the
 * holder of the `audit-sinks` lease delivers.
 */
export function createAuditOutbox(deps: AuditOutboxDeps) {
  const {
    prisma,
    auditRepository,
    cursors,
    leases,
    sinks,
    metrics,
    log,
    batchSize = 200,
    pollMs = 1000,
    leaseTtlMs = 30_000,
    maxBackoffMs = 30_000,
    gapGraceMs = 60_000,
  } = deps;
  const holder = `audit-outbox-${randomUUID()}`;
  let running = false;
  let holding = false;
  let loops: Promise<void> | null = null;
  const wakers = new Set<() => void>();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakers.add(done);
    });

  /** Sends the next contiguous run of rows after the sink's cursor; the number of events sent. */
  async function pump(state: SinkState): Promise<number> {
    const { sink } = state;
    const after = await cursors.lastSeq(sink.name);
    const rows = await auditRepository.bySeqRange(prisma, after + 1, batchSize);
    if (rows.length === 0) return 0;
    if (rows[0]!.seq !== after + 1) {
      // A seq not (yet) visible: an append still committing, or one rolled back. Wait, then pass over it.
      state.gapSince ??= Date.now();
      if (Date.now() - state.gapSince < gapGraceMs) return 0;
      log?.warn({ sink: sink.name, missing: after + 1, next: rows[0]!.seq }, 'audit sink: passing over missing seqs');
    }
    state.gapSince = null;
    let end = 1;
    while (end < rows.length && rows[end]!.seq === rows[end - 1]!.seq + 1) end++;
    const batch = rows.slice(0, end);
    await sink.deliver(batch.map(toSiemEvent));
    const lastSeq = batch[batch.length - 1]!.seq;
    await cursors.advance(sink.name, lastSeq, new Date());
    metrics?.sinkDelivered(sink.name, batch.length);
    const head = await auditRepository.head(prisma);
    metrics?.sinkLag(sink.name, Math.max(0, (head?.seq ?? 0) - lastSeq));
    return batch.length;
  }

  async function runSink(state: SinkState): Promise<void> {
    while (running) {
      if (!holding) {
        await sleep(pollMs);
        continue;
      }
      try {
        const sent = await pump(state);
        state.failures = 0;
        if (sent < batchSize) await sleep(pollMs);
      } catch (error) {
        state.failures++;
        metrics?.sinkFailed(state.sink.name);
        const backoff = Math.min(maxBackoffMs, pollMs * 2 ** Math.min(state.failures - 1, 10));
        log?.warn(
          { sink: state.sink.name, failures: state.failures, retryInMs: backoff, err: (error as Error).message },
          'audit sink delivery failed; will retry',
        );
        await sleep(backoff);
      }
    }
  }

  async function keepLease(): Promise<void> {
    while (running) {
      try {
        holding = holding
          ? await leases.renew(AUDIT_SINK_LEASE, holder, leaseTtlMs)
          : (await leases.claim(AUDIT_SINK_LEASE, holder, leaseTtlMs)).claimed;
      } catch (error) {
        holding = false;
        log?.warn({ err: (error as Error).message }, 'audit sinks: could not claim or renew the lease');
      }
      await sleep(holding ? leaseTtlMs / 3 : Math.min(leaseTtlMs / 3, 5 * pollMs));
    }
  }

  return {
    /** Starts delivering in the background (no-op without sinks, or when already started). */
    start(): void {
      if (running || sinks.length === 0) return;
      running = true;
      const states = sinks.map((sink): SinkState => ({ sink, failures: 0, gapSince: null }));
      loops = Promise.all([keepLease(), ...states.map(runSink)]).then(() => {});
    },

    /** Stops after the batches in flight; releases the lease so another instance takes over at once. */
    async stop(): Promise<void> {
      if (!running) return;
      running = false;
      for (const wake of [...wakers]) wake();
      await loops;
      loops = null;
      if (holding) await leases.release(AUDIT_SINK_LEASE, holder).catch(() => {});
      holding = false;
      await Promise.all(sinks.map((sink) => sink.close().catch(() => {})));
    },

    /** Looks for new rows now instead of at the next poll (the audit service's writers need not call it). */
    wake(): void {
      for (const wake of [...wakers]) wake();
    },
  };
}

export type AuditOutbox = ReturnType<typeof createAuditOutbox>;
