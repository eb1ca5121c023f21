import fs from 'node:fs';
import path from 'node:path';

/**
 * Creates the folder that will hold a SQLite file (the default ./data does not exist on a fresh
 * clone). Hand-rolled because `fs.mkdirSync(dir, { recursive: true })` on Node 20 spins forever
 * on some unwritable trees (e.g. under /proc) instead of failing; a misconfigured path must
 * produce an error, not a hung start.
 */
export function ensureParentDirectory(filePath: string): void {
  ensureDirectory(path.dirname(filePath));
}

function ensureDirectory(dir: string): void {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (stat) {
    if (!stat.isDirectory()) throw new Error(`${dir} exists and is not a directory`);
    return;
  }
  const parent = path.dirname(dir);
  if (parent !== dir) ensureDirectory(parent);
  try {
    fs.mkdirSync(dir);
  } catch (error) {
    // Another process (a second portal instance) may have created it in the meantime.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}
