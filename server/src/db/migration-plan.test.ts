import { describe, expect, it } from 'vitest';
import { MigrationError } from './migration-errors.ts';
import type { MigrationFile } from './migration-files.ts';
import { type AppliedMigration, planMigrations } from './migration-plan.ts';

const file = (name: string, checksum = `sum-${name}`): MigrationFile => ({
  name,
  sql: '',
  checksum,
  alternateChecksum: `crlf-${checksum}`,
});
const row = (name: string, overrides: Partial<AppliedMigration> = {}): AppliedMigration => ({
  migrationName: name,
  checksum: `sum-${name}`,
  startedAt: new Date('2026-01-01T00:00:00Z'),
  finishedAt: new Date('2026-01-01T00:00:01Z'),
  rolledBackAt: null,
  ...overrides,
});
const local = [file('20260101000000_init'), file('20260201000000_sessions'), file('20260301000000_scans')];

function refusal(applied: AppliedMigration[]): MigrationError {
  try {
    planMigrations(local, applied);
  } catch (error) {
    if (error instanceof MigrationError) return error;
    throw error;
  }
  throw new Error('expected the plan to be refused');
}

describe('planMigrations', () => {
  it('plans everything, in order, for an empty database', () => {
    expect(planMigrations(local, []).map((m) => m.name)).toEqual(local.map((m) => m.name));
  });

  it('plans only what is missing', () => {
    expect(planMigrations(local, [row('20260101000000_init')]).map((m) => m.name)).toEqual([
      '20260201000000_sessions',
      '20260301000000_scans',
    ]);
    expect(
      planMigrations(
        local,
        local.map((m) => row(m.name)),
      ),
    ).toEqual([]);
  });

  it('applies a missing migration that sorts before applied ones (merged from a branch)', () => {
    expect(planMigrations(local, [row('20260101000000_init'), row('20260301000000_scans')]).map((m) => m.name)).toEqual(
      ['20260201000000_sessions'],
    );
  });

  it('accepts a checksum taken with the other line-ending style', () => {
    expect(
      planMigrations(local, [row('20260101000000_init', { checksum: 'crlf-sum-20260101000000_init' })]),
    ).toHaveLength(2);
  });

  it('refuses a migration edited after it was applied', () => {
    const error = refusal([row('20260101000000_init', { checksum: 'f'.repeat(64) })]);
    expect(error.code).toBe('checksum_mismatch');
    expect(error.message).toContain('20260101000000_init was modified after it was applied');
  });

  it('refuses a database migrated by a newer version', () => {
    const error = refusal([row('20260101000000_init'), row('20270101000000_future')]);
    expect(error.code).toBe('unknown_migration');
    expect(error.message).toContain('20270101000000_future');
  });

  it('refuses to continue after a migration that started and never finished', () => {
    const error = refusal([row('20260101000000_init', { finishedAt: null })]);
    expect(error.code).toBe('unfinished_migration');
    expect(error.message).toContain('prisma migrate resolve');
  });

  it('re-applies a migration recorded as rolled back, like prisma migrate deploy', () => {
    const rolledBack = row('20260101000000_init', {
      finishedAt: null,
      rolledBackAt: new Date('2026-01-02T00:00:00Z'),
      checksum: 'old',
    });
    expect(planMigrations(local, [rolledBack]).map((m) => m.name)).toEqual(local.map((m) => m.name));
    // ...and a later successful run of the same migration counts as applied.
    expect(planMigrations(local, [rolledBack, row('20260101000000_init')])).toHaveLength(2);
  });
});
