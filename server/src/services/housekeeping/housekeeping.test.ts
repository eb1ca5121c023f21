import { describe, expect, it } from 'vitest';
import { createHousekeeping } from './housekeeping.ts';

describe('housekeeping', () => {
  it('runs every task, and one failing task does not stop the others', async () => {
    const ran: string[] = [];
    const warnings: string[] = [];
    const housekeeping = createHousekeeping({
      everyMs: 60_000,
      tasks: [
        {
          name: 'a',
          run: async () => {
            ran.push('a');
            return 2;
          },
        },
        { name: 'broken', run: async () => Promise.reject(new Error('db down')) },
        {
          name: 'c',
          run: async () => {
            ran.push('c');
            return 0;
          },
        },
      ],
      log: { info: () => {}, warn: (details) => warnings.push((details as { task: string }).task) },
    });
    await housekeeping.sweepNow();
    expect(ran).toEqual(['a', 'c']);
    expect(warnings).toEqual(['broken']);
    await housekeeping.stop();
  });
});
