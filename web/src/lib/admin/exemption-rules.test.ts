import { describe, expect, it } from 'vitest';
import type { ExemptionList, ListedExemption } from '../api/admin-cis-service.ts';
import {
  activeByUser,
  exemptionDomId,
  expiryBounds,
  keysFigure,
  splitByExpiry,
  startOfLocalDate,
} from './exemption-rules.ts';

const exemption = (over: Partial<ListedExemption>): ListedExemption => ({
  userName: 'portal',
  reason: 'the portal itself',
  expiresAt: '2027-03-01T00:00:00.000Z',
  createdBy: 'carol',
  createdAt: '2026-12-01T10:00:00.000Z',
  active: true,
  keysWorkWithoutMfa: 'yes',
  ...over,
});
const list = (exemptions: ListedExemption[], scanId: string | null = 'scan-2'): ExemptionList => ({
  scanId,
  maxDays: 366,
  exemptions,
});

describe('exemption expiry dates', () => {
  it('offers tomorrow up to the last day within the limit, suggesting 90 days', () => {
    const now = new Date(2026, 11, 2, 15, 30);
    expect(expiryBounds(now, 366)).toEqual({ min: '2026-12-03', max: '2027-12-03', suggested: '2027-03-02' });
    const max = startOfLocalDate(expiryBounds(now, 366).max)!;
    expect(max.getTime() - now.getTime()).toBeLessThanOrEqual(366 * 86_400_000);
  });

  it('offers a day less when a clock change makes the last day start later than the limit', () => {
    const zone = process.env.TZ;
    process.env.TZ = 'Europe/Berlin';
    try {
      // Clocks go back on 25 October 2026: from 00:30 on the 24th, the 26th starts 48.5 hours later.
      const now = new Date(2026, 9, 24, 0, 30);
      expect(expiryBounds(now, 2).max).toBe('2026-10-25');
      expect(expiryBounds(new Date(2026, 9, 20, 0, 30), 2).max).toBe('2026-10-22');
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('never suggests more than the limit allows', () => {
    expect(expiryBounds(new Date(2026, 0, 10, 9), 30).suggested).toBe('2026-02-09');
  });

  it('reads the date field as the start of that local day, and refuses what is no date', () => {
    expect(startOfLocalDate('2027-02-28')).toEqual(new Date(2027, 1, 28, 0, 0));
    expect(startOfLocalDate('2027-02-30')).toBeNull();
    expect(startOfLocalDate('28.02.2027')).toBeNull();
    expect(startOfLocalDate('')).toBeNull();
  });
});

describe('exempt users counted apart', () => {
  it('takes active exemptions of users whose keys work without MFA out of the figure', () => {
    const exemptions = [
      exemption({ userName: 'portal' }),
      exemption({ userName: 'ci-deploy' }),
      exemption({ userName: 'old-ci', active: false }),
      exemption({ userName: 'fixed', keysWorkWithoutMfa: 'no' }),
      exemption({ userName: 'gone', keysWorkWithoutMfa: null }),
    ];
    expect(keysFigure(5, 'scan-2', list(exemptions))).toEqual({ counted: 3, exempt: 2 });
  });

  it('leaves the figure whole when the list describes another scan or is not there', () => {
    expect(keysFigure(5, 'scan-3', list([exemption({})]))).toEqual({ counted: 5, exempt: null });
    expect(keysFigure(5, 'scan-2', null)).toEqual({ counted: 5, exempt: null });
    expect(keysFigure(0, null, list([], null))).toEqual({ counted: 0, exempt: null });
  });

  it('finds a user’s active exemption whatever the case of the name', () => {
    const byUser = activeByUser(
      list([exemption({ userName: 'CI-Deploy' }), exemption({ userName: 'x', active: false })]),
    );
    expect(byUser.get('ci-deploy')?.userName).toBe('CI-Deploy');
    expect(byUser.has('x')).toBe(false);
  });

  it('lists current exemptions soonest-ending first and expired ones latest-ended first', () => {
    const { current, expired } = splitByExpiry(
      list([
        exemption({ userName: 'b', expiresAt: '2027-06-01T00:00:00.000Z' }),
        exemption({ userName: 'a', expiresAt: '2027-01-01T00:00:00.000Z' }),
        exemption({ userName: 'c', active: false, expiresAt: '2026-10-01T00:00:00.000Z' }),
        exemption({ userName: 'd', active: false, expiresAt: '2026-11-01T00:00:00.000Z' }),
      ]),
    );
    expect(current.map((e) => e.userName)).toEqual(['a', 'b']);
    expect(expired.map((e) => e.userName)).toEqual(['d', 'c']);
  });
});

describe('element ids for a user’s exemption controls', () => {
  it('are valid ids and differ for names that differ only in punctuation', () => {
    // ci_2edeploy is what ci.deploy's escape would be if `_` passed through unescaped.
    const ids = [
      'ci.deploy',
      'ci_2edeploy',
      'ci_deploy',
      'ci@deploy',
      'ci+deploy',
      'ci=deploy',
      'ci,deploy',
      'ci-deploy',
    ].map(exemptionDomId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[\w-]+$/);
  });
});
