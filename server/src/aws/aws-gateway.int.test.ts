import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../../emulator/src/server.ts';
import type { StateFile } from '../../../emulator/src/state/state-file.ts';
import { type AwsGateway, createAwsGateway } from './aws-gateway.ts';

// The gateway's list calls against an account larger than one page of every listing (IAM pages
// hold at most 100 items by default, ListVirtualMFADevices is asked for 1000): each must
// return every item, in AWS's order, across pages.

const ACCOUNT = '111111111111';
const SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const PORTAL_KEY = { accessKeyId: 'AKIAPORTAL0000000001', secretAccessKey: 'portal/Secret+Key'.padEnd(40, 'x') };
const ROLE_COUNT = 230;
const DEVICE_USERS = 1050;
const GROUP_COUNT = 120;
const ACTION_COUNT = 150;
const pad = (n: number) => String(n).padStart(4, '0');

function largeAccount(): StateFile {
  const trust = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow' as const, Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' },
    ],
  };
  return {
    accounts: [{ id: ACCOUNT }],
    groups: Array.from({ length: GROUP_COUNT }, (_, i) => ({ account: ACCOUNT, name: `group-${pad(i)}` })),
    roles: Array.from({ length: ROLE_COUNT }, (_, i) => ({
      account: ACCOUNT,
      name: `Role${pad(i)}`,
      trustPolicy: trust,
    })),
    users: [
      {
        account: ACCOUNT,
        name: 'portal',
        accessKeys: [{ id: PORTAL_KEY.accessKeyId, secret: PORTAL_KEY.secretAccessKey, status: 'Active' }],
        inlinePolicies: [
          { name: 'all-iam', document: { Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] } },
        ],
      },
      {
        account: ACCOUNT,
        name: 'member',
        groups: Array.from({ length: GROUP_COUNT }, (_, i) => `group-${pad(i)}`),
        accessKeys: [1, 2].map((n) => ({
          id: `AKIAMEMBER000000000${n}`,
          secret: 'm'.repeat(40),
          status: 'Active' as const,
        })),
        mfaDevices: Array.from({ length: 8 }, (_, i) => ({
          serial: `GAHTMEMBER${pad(i)}`,
          type: 'hardware' as const,
          seed: SEED,
          enabledAt: '2026-01-01T00:00:00Z',
        })),
      },
      ...Array.from({ length: DEVICE_USERS }, (_, i) => ({
        account: ACCOUNT,
        name: `user-${pad(i)}`,
        mfaDevices: [{ serial: `arn:aws:iam::${ACCOUNT}:mfa/user-${pad(i)}`, type: 'virtual' as const, seed: SEED }],
      })),
    ],
  };
}

let emulator: RunningEmulator;
let aws: AwsGateway;

beforeAll(async () => {
  emulator = await startEmulator({ state: largeAccount() });
  aws = createAwsGateway({
    region: 'us-east-1',
    iamEndpoint: emulator.url,
    stsEndpoint: emulator.url,
    portalCredentials: PORTAL_KEY,
    maxAttempts: 1,
  });
});
afterAll(() => emulator?.close());

describe('the AWS gateway follows every page', () => {
  it('listRoles', async () => {
    const roles = await aws.listRoles();
    expect(roles.map((r) => r.name)).toEqual(Array.from({ length: ROLE_COUNT }, (_, i) => `Role${pad(i)}`));
    expect(roles[0]).toMatchObject({ accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:role/Role0000` });
  });

  it('listVirtualMfaDevices', async () => {
    const devices = await aws.listVirtualMfaDevices();
    expect(devices).toHaveLength(DEVICE_USERS);
    expect(devices.at(-1)).toEqual({
      serialNumber: `arn:aws:iam::${ACCOUNT}:mfa/user-${pad(DEVICE_USERS - 1)}`,
      userName: `user-${pad(DEVICE_USERS - 1)}`,
    });
  });

  it('listGroupsForUser', async () => {
    expect(await aws.listGroupsForUser('member')).toEqual(
      Array.from({ length: GROUP_COUNT }, (_, i) => `group-${pad(i)}`),
    );
  });

  it('simulatePrincipalPolicy', async () => {
    const actions = Array.from({ length: ACTION_COUNT }, (_, i) => `s3:Action${pad(i)}`);
    const results = await aws.simulatePrincipalPolicy(`arn:aws:iam::${ACCOUNT}:user/member`, actions, {
      'aws:MultiFactorAuthPresent': 'false',
    });
    expect(results.map((r) => r.action)).toEqual(actions);
    expect(new Set(results.map((r) => r.decision))).toEqual(new Set(['implicitDeny']));
  });

  it('listAccessKeyIds and listMfaDevices (one page at AWS limits of 2 keys and 8 devices)', async () => {
    expect(await aws.listAccessKeyIds('member')).toEqual(['AKIAMEMBER0000000001', 'AKIAMEMBER0000000002']);
    const devices = await aws.listMfaDevices('member');
    expect(devices.map((d) => d.serialNumber)).toEqual(Array.from({ length: 8 }, (_, i) => `GAHTMEMBER${pad(i)}`));
    expect(devices[0]?.enabledAt).toEqual(new Date('2026-01-01T00:00:00Z'));
  });

  it('still reports a failed call as AwsCallError', async () => {
    await expect(aws.listGroupsForUser('nobody')).rejects.toMatchObject({
      name: 'AwsCallError',
      kind: 'not_found',
      operation: 'ListGroupsForUser',
    });
  });
});
