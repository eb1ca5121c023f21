import { describe, expect, it } from 'vitest';
import { durationOptions } from './durations.ts';

describe('durationOptions', () => {
  it('offers common durations up to the role limit, marking the maximum', () => {
    expect(durationOptions(3600, 3600)).toEqual([
      { seconds: 900, label: '15 minutes' },
      { seconds: 1800, label: '30 minutes' },
      { seconds: 3600, label: '1 hour (maximum)' },
    ]);
  });

  it('includes an unusual maximum and default', () => {
    expect(durationOptions(5400, 2700).map((o) => o.seconds)).toEqual([900, 1800, 2700, 3600, 5400]);
  });
});
