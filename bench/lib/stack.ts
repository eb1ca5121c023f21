import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { StateFile } from '../../emulator/src/state/state-file.ts';
import { generateMasterKey } from '../../server/src/services/custody/secret-box.ts';
import { type BenchDatabase, createBenchDatabase, type Provider } from './databases.ts';
import { portalKeyOf, preparePortalDatabase, writeState } from './portal-fixture.ts';
import { type Allocator, type Child, startEmulatorProcess, startPortalProcess } from './processes.ts';

export interface BenchStack {
  db: BenchDatabase;
  emulator: Child;
  masterKey: string;
  /** Starts the built portal on the stack's database and emulator (stopped with the stack). */
  startPortal(extra?: { allocator?: Allocator; nodeArgs?: string[] }): Promise<Child>;
}

/**
 * What every process benchmark stands on: the emulator in its own process with `state`, a fresh
 * database the portal migrated with `users` enrolled and the bench role in its catalog, and the
 * built portal once the benchmark starts it. Everything is stopped and removed when `body` ends,
 * however it ends.
 */
export async function withBenchStack<T>(
  options: { provider: Provider; name: string; state: StateFile; users: string[] },
  body: (stack: BenchStack) => Promise<T>,
): Promise<T> {
  const work = await mkdtemp(path.join(os.tmpdir(), `portal-bench-${options.name}-`));
  const statePath = path.join(work, 'state.json');
  await writeState(statePath, options.state);
  const portalKey = portalKeyOf(options.state);
  const masterKey = generateMasterKey();
  const portals: Child[] = [];
  let db: BenchDatabase | undefined;
  let emulator: Child | undefined;
  try {
    const database = createBenchDatabase(options.provider, options.name);
    db = database;
    const aws = await startEmulatorProcess(statePath);
    emulator = aws;
    await preparePortalDatabase({
      databaseUrl: database.url,
      masterKey,
      emulatorUrl: aws.url,
      portalKey,
      users: options.users,
    });
    const startPortal = async (extra: { allocator?: Allocator; nodeArgs?: string[] } = {}) => {
      const portal = await startPortalProcess({
        databaseUrl: database.url,
        masterKey,
        emulatorUrl: aws.url,
        portalKey,
        ...extra,
      });
      portals.push(portal);
      return portal;
    };
    return await body({ db: database, emulator: aws, masterKey, startPortal });
  } finally {
    for (const portal of portals) await portal.stop();
    await emulator?.stop();
    db?.drop();
    await rm(work, { recursive: true, force: true });
  }
}
