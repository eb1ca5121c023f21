import type { DatabaseProvider } from './database-url.ts';
import type { DbClient } from './prisma-types.ts';

/**
 * Bound parameters per statement (SQLite allows 32,766, PostgreSQL 65,535). Kept well below
 * those because the Prisma client keeps the arguments of its last 100 internal debug calls
 * even with debugging off, and those include each raw statement's plan with every parameter:
 * at 30,000 parameters that pinned about 217 MB of heap after a 100,000-user snapshot, at
 * 5,000 about 58 MB, for about the same time.
 */
const MAX_PARAMETERS = 5000;
const MAX_ROWS_PER_STATEMENT = 1000;

/**
 * The one value form each provider's Prisma adapter stores: SQLite keeps DateTime as ISO text
 * with `+00:00` and Boolean as 0/1; PostgreSQL takes Dates and booleans as they are.
 */
function encode(provider: DatabaseProvider, value: unknown): unknown {
  if (provider === 'postgresql' || value === null) return value;
  if (value instanceof Date) return value.toISOString().replace(/Z$/, '+00:00');
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

/**
 * Writes rows with multi-row INSERTs, for the scan's bulk writes. Prisma's createMany costs close
 * to a millisecond of CPU per row here (its query compiler serialises every row), which made
 * storing a 10,000-user scan take longer than reading it from AWS. Values travel as bound
 * parameters; `table` and `columns` are the caller's constants, never input. Prisma-side
 * defaults (`@default(uuid(7))`) do not apply: the caller gives every column, ids included.
 */
export async function insertRows<Row extends Record<string, unknown>>(
  db: DbClient,
  provider: DatabaseProvider,
  table: string,
  columns: ReadonlyArray<keyof Row & string>,
  rows: Row[],
): Promise<void> {
  const names = columns.map((c) => `"${c}"`).join(', ');
  const width = columns.length;
  const perStatement = Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(MAX_PARAMETERS / width));
  for (let start = 0; start < rows.length; start += perStatement) {
    const values: unknown[] = [];
    const tuples = rows.slice(start, start + perStatement).map((row, index) => {
      for (const column of columns) values.push(encode(provider, row[column] ?? null));
      const slots = columns.map((_, i) => (provider === 'postgresql' ? `$${index * width + i + 1}` : '?'));
      return `(${slots.join(', ')})`;
    });
    await db.$executeRawUnsafe(`INSERT INTO "${table}" (${names}) VALUES ${tuples.join(', ')}`, ...values);
  }
}
