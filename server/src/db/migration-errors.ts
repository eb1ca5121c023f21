/**
 * Errors the migrator reports for conditions an operator can act on. Each message says what is
 * wrong and what to do; the CLI and the server print the message alone, without a stack trace.
 * Anything else that escapes the migrator is a bug and keeps its stack.
 */
export type MigrationErrorCode =
  | 'database_unreachable'
  | 'migrations_unreadable'
  | 'checksum_mismatch'
  | 'unknown_migration'
  | 'unfinished_migration'
  | 'migration_failed'
  | 'lock_timeout';

export class MigrationError extends Error {
  readonly code: MigrationErrorCode;

  constructor(code: MigrationErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
    this.code = code;
  }
}

/** Whether `error` is one of the expected, explained failures (as opposed to a bug). */
export function isMigrationError(error: unknown): error is MigrationError {
  return error instanceof MigrationError;
}
