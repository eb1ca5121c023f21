import { readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { StateFile } from './state-file.ts';
import { StateFileError, validateStateFile } from './state-validator.ts';

export { StateFileError, validateStateFile };

/** Reads, parses and validates a state file. Throws StateFileError naming the file and bad paths. */
export async function loadStateFile(path: string): Promise<StateFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new StateFileError([`cannot read the file: ${(error as NodeJS.ErrnoException).code ?? String(error)}`], path);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new StateFileError([`not valid JSON: ${(error as Error).message}`], path);
  }
  return validateStateFile(json, path);
}

/**
 * Writes the state atomically: a crash mid-write leaves either the old or the new file, never a
 * truncated one, because rename() within a directory replaces the target in one step.
 */
export async function writeStateFileAtomically(path: string, state: StateFile): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`, { encoding: 'utf8', mode: 0o600 });
  await rename(temp, path);
}

/**
 * Serialises persistence so concurrent requests never interleave writes, and skips writing when
 * nothing changed since the last write (most calls are reads).
 */
export class StatePersister {
  readonly #path: string;
  #lastWritten: string | undefined;
  #queue: Promise<void> = Promise.resolve();

  constructor(path: string, initial?: StateFile) {
    this.#path = path;
    this.#lastWritten = initial === undefined ? undefined : JSON.stringify(initial);
  }

  /** Persists `snapshot()` if it differs from what is on disk; resolves once written. */
  persist(snapshot: () => StateFile): Promise<void> {
    const next = this.#queue.then(async () => {
      const state = snapshot();
      const serialised = JSON.stringify(state);
      if (serialised === this.#lastWritten) return;
      await writeStateFileAtomically(this.#path, state);
      this.#lastWritten = serialised;
    });
    // A failed write must not wedge every later one; the caller sees this one's failure.
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
