import { readFileSync } from 'node:fs';

/** The parts of V8's `.cpuprofile` (what `node --cpu-prof` writes) this module reads. */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string } }>;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShare {
  where: string;
  selfMs: number;
  /** Share of the busy time (idle excluded), in percent. */
  percent: number;
}

/**
 * Where a function lives, coarse enough to act on: the npm package (`@prisma/client`), Prisma's
 * wasm query compiler, node's own modules, the portal's code, or one of V8's pseudo-frames.
 */
export function placeOf(callFrame: { functionName: string; url: string }): string {
  const { functionName, url } = callFrame;
  if (url === '') {
    if (functionName === '(garbage collector)') return 'garbage collector';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return 'V8 and native code (program)';
    // Node's C++ bindings: writev, read, string encoding and the like.
    return "node's C++ bindings";
  }
  if (url.startsWith('wasm://')) return 'wasm (Prisma query compiler)';
  if (url.startsWith('node:')) return 'node internals';
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(url);
  if (inPackage) return inPackage[1]!;
  return url.includes('/dist/server/') || url.includes('/server/src/') ? 'the portal (server/src)' : url;
}

/** Self time by place, largest first; idle time is left out of the shares. */
export function summariseCpuProfile(profile: CpuProfile): ProfileShare[] {
  const placeById = new Map(profile.nodes.map((n) => [n.id, placeOf(n.callFrame)]));
  const selfUs = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const place = placeById.get(id) ?? 'unknown';
    selfUs.set(place, (selfUs.get(place) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  selfUs.delete('idle');
  const busyUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
  return [...selfUs.entries()]
    .map(([where, us]) => ({
      where,
      selfMs: Math.round(us / 100) / 10,
      percent: Math.round((us / Math.max(busyUs, 1)) * 1000) / 10,
    }))
    .sort((a, b) => b.selfMs - a.selfMs);
}

export function readCpuProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}
