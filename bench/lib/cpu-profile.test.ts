import { describe, expect, it } from 'vitest';
import { placeOf, summariseCpuProfile } from './cpu-profile.ts';

const frame = (url: string, functionName = 'f') => ({ functionName, url });

describe('placeOf', () => {
  it('names the package, scoped or not, also when packages nest', () => {
    expect(placeOf(frame('file:///app/node_modules/@prisma/client/runtime/client.js'))).toBe('@prisma/client');
    expect(placeOf(frame('file:///app/node_modules/better-sqlite3/lib/methods/wrappers.js'))).toBe('better-sqlite3');
    expect(placeOf(frame('file:///app/node_modules/a/node_modules/@smithy/core/dist/index.js'))).toBe('@smithy/core');
  });

  it("tells node's modules, wasm, the portal and V8's pseudo-frames apart", () => {
    expect(placeOf(frame('node:internal/streams/writable'))).toBe('node internals');
    expect(placeOf(frame('wasm://wasm/0123abcd'))).toBe('wasm (Prisma query compiler)');
    expect(placeOf(frame('file:///app/dist/server/src/services/audit/audit-appender.js'))).toBe(
      'the portal (server/src)',
    );
    expect(placeOf(frame('', '(garbage collector)'))).toBe('garbage collector');
    expect(placeOf(frame('', '(idle)'))).toBe('idle');
    expect(placeOf(frame('', 'writev'))).toBe("node's C++ bindings");
  });
});

describe('summariseCpuProfile', () => {
  it('sums self time by place, leaves idle out of the shares, largest first', () => {
    const summary = summariseCpuProfile({
      nodes: [
        { id: 1, callFrame: frame('', '(idle)') },
        { id: 2, callFrame: frame('file:///app/node_modules/pg/lib/client.js') },
        { id: 3, callFrame: frame('node:net') },
        { id: 4, callFrame: frame('file:///app/node_modules/pg/lib/query.js') },
      ],
      samples: [1, 2, 3, 4, 1, 2],
      timeDeltas: [5000, 1000, 1000, 1000, 5000, 1000],
    });
    expect(summary).toEqual([
      { where: 'pg', selfMs: 3, percent: 75 },
      { where: 'node internals', selfMs: 1, percent: 25 },
    ]);
  });
});
