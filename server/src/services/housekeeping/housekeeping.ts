export interface HousekeepingTask {
  name: string;
  /** Removes rows that can no longer matter; returns how many. */
  run(): Promise<number>;
}

export interface HousekeepingDeps {
  tasks: HousekeepingTask[];
  everyMs: number;
  log?: { warn(details: object, message: string): void; info(details: object, message: string): void };
}

/**
 * Periodically drops what has expired: web sessions, MFA sessions (with their CLI tokens) and
 * finished attempt windows. Reads already ignore expired rows; this only keeps tables small.
 * Every instance may run it: the deletes are idempotent.
 */
export function createHousekeeping({ tasks, everyMs, log }: HousekeepingDeps) {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;

  const sweep = () => {
    if (running) return;
    running = (async () => {
      for (const task of tasks) {
        try {
          const removed = await task.run();
          if (removed > 0) log?.info({ task: task.name, removed }, 'housekeeping removed expired rows');
        } catch (error) {
          log?.warn({ err: error, task: task.name }, 'housekeeping task failed');
        }
      }
    })().finally(() => {
      running = null;
    });
  };

  return {
    start(): void {
      if (timer) return;
      timer = setInterval(sweep, everyMs);
      timer.unref();
    },
    /** One sweep now (tests, and the first run after start). */
    async sweepNow(): Promise<void> {
      sweep();
      await running;
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}

export type Housekeeping = ReturnType<typeof createHousekeeping>;
