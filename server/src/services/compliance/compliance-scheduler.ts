import type { ComplianceService } from './compliance-service.ts';

export interface SchedulerDeps {
  compliance: Pick<ComplianceService, 'startScan' | 'lastScans' | 'stop'>;
  /** Minutes between scans; 0 turns scheduled (and start-up) scans off. */
  intervalMinutes: number;
  /** How often to check whether a scan is due. */
  checkEveryMs?: number;
  /** After a failed scan, wait this long (at most the interval) before trying again. */
  retryAfterMs?: number;
  now?: () => Date;
  log?: { warn(details: object, message: string): void };
}

/**
 * Starts scans when they are due: at start-up when there is no snapshot yet, then every
 * interval. Every instance runs a scheduler; the scan lease makes sure only one scans at a time,
 * and the "is it due" check reads the database, so instances agree on when the last scan ran.
 */
export function createComplianceScheduler({
  compliance,
  intervalMinutes,
  checkEveryMs = 60_000,
  retryAfterMs = 15 * 60_000,
  now = () => new Date(),
  log,
}: SchedulerDeps) {
  const intervalMs = intervalMinutes * 60_000;
  let timer: NodeJS.Timeout | null = null;
  let ticking: Promise<void> | null = null;

  async function tick(): Promise<void> {
    const { latest, latestComplete } = await compliance.lastScans();
    const at = now().getTime();
    let due: 'startup' | 'schedule' | null = null;
    if (!latest) due = 'startup';
    else if (latest.status !== 'running') {
      const since = at - latest.startedAt.getTime();
      if (!latestComplete && since >= Math.min(retryAfterMs, intervalMs)) due = 'startup';
      else if (latest.status === 'failed' && since >= Math.min(retryAfterMs, intervalMs)) due = 'schedule';
      else if (latestComplete && at - latestComplete.startedAt.getTime() >= intervalMs) due = 'schedule';
    }
    if (due) await compliance.startScan(due);
  }

  const safeTick = () => {
    if (ticking) return;
    ticking = tick()
      .catch((error: unknown) => log?.warn({ err: error }, 'compliance scheduler could not check or start a scan'))
      .finally(() => {
        ticking = null;
      });
  };

  return {
    /** Begins checking in the background; never blocks the caller. */
    start(): void {
      if (intervalMs <= 0 || timer) return;
      safeTick();
      timer = setInterval(safeTick, Math.min(checkEveryMs, intervalMs));
      timer.unref();
    },

    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      await ticking;
      await compliance.stop();
    },
  };
}
