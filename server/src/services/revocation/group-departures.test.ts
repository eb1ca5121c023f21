import { describe, expect, it } from 'vitest';
import type { ScanGroupMemberships } from '../compliance/compliance-service.ts';
import { findGroupDepartures } from './group-departures.ts';

const at = (hour: number) => new Date(Date.UTC(2026, 11, 1, hour));

/** Scans newest first; each maps a user to their groups (null: unknown). */
function scans(...views: Array<Record<string, string[] | null>>): ScanGroupMemberships[] {
  return views.map((groups, i) => ({
    scanId: `scan-${views.length - i}`,
    startedAt: at(10 - i),
    groupsByUser: new Map(Object.entries(groups)),
  }));
}

const enrolledEarly = (...names: string[]) => names.map((userName) => ({ userName, enrolledAt: at(0) }));
const catalog = [
  { allowedGroups: ['Developers'], allowedUsers: [] },
  { allowedGroups: ['portal-admins'], allowedUsers: ['dave'] },
];

describe('findGroupDepartures', () => {
  it('finds a user who left every granting group since the previous scan, naming the groups left', () => {
    const found = findGroupDepartures({
      scans: scans(
        { alice: ['ops'], bob: ['developers'], carol: ['portal-admins'] },
        { alice: ['developers', 'portal-admins', 'ops'], bob: ['developers'], carol: ['developers'] },
      ),
      catalog,
      enrolled: enrolledEarly('alice', 'bob', 'carol'),
    });
    expect(found).toEqual([{ userName: 'alice', groupsLeft: ['developers', 'portal-admins'] }]);
  });

  it('never offboards while a grant by name or a "*" role still gives the user a role', () => {
    const input = {
      scans: scans({ dave: [], erin: [] }, { dave: ['portal-admins'], erin: ['developers'] }),
      enrolled: enrolledEarly('dave', 'erin'),
    };
    expect(findGroupDepartures({ ...input, catalog })).toEqual([{ userName: 'erin', groupsLeft: ['developers'] }]);
    const withEveryone = [...catalog, { allowedGroups: [], allowedUsers: ['*'] }];
    expect(findGroupDepartures({ ...input, catalog: withEveryone })).toEqual([]);
  });

  it('never offboards users who were never granted through a group, or on one scan alone', () => {
    const catalogOfGroups = [{ allowedGroups: ['developers'], allowedUsers: [] }];
    expect(
      findGroupDepartures({
        scans: scans({ erin: ['ops'] }, { erin: ['ops'] }),
        catalog: catalogOfGroups,
        enrolled: enrolledEarly('erin'),
      }),
    ).toEqual([]);
    expect(
      findGroupDepartures({ scans: scans({ alice: [] }), catalog: catalogOfGroups, enrolled: enrolledEarly('alice') }),
    ).toEqual([]);
  });

  it('fails safe on missing group data: a scan that did not list the user or stored no groups', () => {
    const cases: Array<Array<Record<string, string[] | null>>> = [
      [{ alice: null }, { alice: ['developers'] }], // now unknown
      [{ alice: [] }, { alice: null }], // before unknown
      [{ alice: [] }, {}], // not listed before (deleted and created again?)
      [{}, { alice: ['developers'] }], // not listed now: the deleted-user rule's business
      [{ alice: [] }, { alice: [] }, { alice: null }, { alice: ['developers'] }], // unknown in between
    ];
    for (const views of cases)
      expect(
        findGroupDepartures({ scans: scans(...views), catalog, enrolled: enrolledEarly('alice') }),
        JSON.stringify(views),
      ).toEqual([]);
  });

  it('still finds a departure when two scans finished between checks, unless the user came back', () => {
    const enrolled = enrolledEarly('alice');
    expect(
      findGroupDepartures({ scans: scans({ alice: [] }, { alice: [] }, { alice: ['developers'] }), catalog, enrolled }),
    ).toEqual([{ userName: 'alice', groupsLeft: ['developers'] }]);
    expect(
      findGroupDepartures({
        scans: scans({ alice: [] }, { alice: ['developers'] }, { alice: ['developers'] }),
        catalog,
        enrolled,
      }),
    ).toEqual([{ userName: 'alice', groupsLeft: ['developers'] }]);
    expect(
      findGroupDepartures({
        scans: scans({ alice: ['DEVELOPERS'] }, { alice: [] }, { alice: ['developers'] }),
        catalog,
        enrolled,
      }),
    ).toEqual([]);
  });

  it('leaves alone a user enrolled again after the first scan that saw them out of the groups', () => {
    // Scans start at 10:00 (newest), 09:00, 08:00; alice left between 08:00 and 09:00.
    const views = scans({ alice: [] }, { alice: [] }, { alice: ['developers'] });
    const enrolledAt = (hour: number) => [{ userName: 'alice', enrolledAt: at(hour) }];
    expect(findGroupDepartures({ scans: views, catalog, enrolled: enrolledAt(8) })).toHaveLength(1);
    expect(findGroupDepartures({ scans: views, catalog, enrolled: enrolledAt(9) })).toEqual([]);
  });
});
