import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { machine } from './stats.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/** Writes bench/results/<name>.json with the machine description beside the figures. */
export async function writeResults(name: string, result: Record<string, unknown>): Promise<string> {
  const file = path.join(ROOT, 'bench/results', `${name}.json`);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(
    file,
    `${JSON.stringify({ recordedAt: new Date().toISOString(), machine: machine(), ...result }, null, 2)}\n`,
  );
  console.log(`wrote ${path.relative(ROOT, file)}`);
  return file;
}
