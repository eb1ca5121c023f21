import { describe, expect, it } from 'vitest';
import type { ComplianceSummary } from '../api/admin-compliance-service.ts';
import { breakdownRows, percent, polylinePoints, trendSeries } from './chart-data.ts';

const summary = (over: Partial<ComplianceSummary> = {}): ComplianceSummary => ({
  users: 8,
  withMfa: 5,
  withoutMfa: 3,
  consoleWithoutMfa: 1,
  keysWorkWithoutMfa: 2,
  keysUnknown: 0,
  hardwareMfa: 1,
  consoleOnlyMfa: 0,
  enrolled: 4,
  rootMfa: true,
  ...over,
});

describe('chart data', () => {
  it('rounds shares to whole percent and treats an empty account as 0%', () => {
    expect(percent(5, 8)).toBe(63);
    expect(percent(0, 0)).toBe(0);
  });

  it('draws one scan as a flat line and clamps values to the box', () => {
    expect(polylinePoints([50], 100, 40)).toBe('0,20 100,20');
    expect(polylinePoints([0, 100, 150], 100, 40)).toBe('0,40 50,0 100,0');
    expect(polylinePoints([], 100, 40)).toBe('');
  });

  it('turns scans into percent series and a summary into bars', () => {
    const series = trendSeries([{ scanId: 'a', scannedAt: '2026-11-22T00:00:00Z', summary: summary() }]);
    expect(series.map((s) => s.values)).toEqual([[63], [25]]);
    expect(breakdownRows(summary()).find((row) => row.key === 'virtual')?.count).toBe(4);
    // FIDO-only users have MFA, but neither virtual nor hardware: a bar of their own.
    const fido = breakdownRows(summary({ consoleOnlyMfa: 2 }));
    expect(fido.find((row) => row.key === 'virtual')?.count).toBe(2);
    expect(fido.find((row) => row.key === 'console-only')?.count).toBe(2);
  });
});
