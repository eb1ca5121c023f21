import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A tmpfs of a few megabytes, mounted for a test (needs root; CI runs the tests as root). */
export interface SmallTmpfs {
  dir: string;
  /** Writes a file of zeros until the file system refuses (ENOSPC); returns its path. */
  fill(name?: string): string;
  /** Unmounts (lazily, if a file is still open) and removes the mount point. Safe to call twice. */
  unmount(): void;
}

/** Why a tmpfs cannot be mounted here, or null when it can (mounts and unmounts a tiny one). */
export function cannotMountTmpfs(): string | null {
  const probe = mountSmallTmpfs('64k');
  if ('cannotMount' in probe) return probe.cannotMount;
  probe.unmount();
  return null;
}

/**
 * Mounts a tmpfs of `size` (mount(8) syntax: `8m`) on a new folder, or says why it cannot:
 * not root, no mount(8), or a container without CAP_SYS_ADMIN.
 */
export function mountSmallTmpfs(size: string): SmallTmpfs | { cannotMount: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portal-small-disk-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], {
    encoding: 'utf8',
  });
  if (mounted.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    const why = mounted.error?.message ?? mounted.stderr.trim().split('\n')[0];
    return { cannotMount: `mount -t tmpfs failed (${why || `exit ${mounted.status}`}); it needs root` };
  }
  let gone = false;
  return {
    dir,
    fill(name = 'filler') {
      const file = path.join(dir, name);
      const fd = openSync(file, 'w');
      try {
        for (const size of [1 << 20, 4096, 512]) {
          const chunk = Buffer.alloc(size);
          try {
            for (;;) writeSync(fd, chunk);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
          }
        }
      } finally {
        closeSync(fd);
      }
      return file;
    },
    unmount() {
      if (gone) return;
      gone = true;
      if (spawnSync('umount', [dir]).status !== 0) spawnSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
