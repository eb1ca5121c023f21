import type { StateFile } from '../src/state/state-file.ts';

/**
 * A small organisation for the emulator's own tests (the demo uses emulator/demo-state.json).
 * Account 111111111111 has alice (virtual MFA, force-MFA policy), bob (virtual MFA), carol
 * (hardware MFA), dave (inactive key) and erin (no MFA); 222222222222 holds a partner role that
 * requires an ExternalId.
 */
export const ACCOUNT = '111111111111';
export const PARTNER_ACCOUNT = '222222222222';

export const SEEDS = {
  alice: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
  bob: 'MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U',
  carol: 'KRUGS4ZANFZSAYJAONSWG4TFOQQGC3LB',
} as const;

export const SERIALS = {
  alice: `arn:aws:iam::${ACCOUNT}:mfa/alice`,
  bob: `arn:aws:iam::${ACCOUNT}:mfa/bob`,
  carol: 'GAHT12345678',
} as const;

const secretFor = (name: string): string => `${name}/Secret+Key`.padEnd(40, 'x');

export const KEYS = {
  alice: { accessKeyId: 'AKIAALICE00000000001', secretAccessKey: secretFor('alice') },
  bob: { accessKeyId: 'AKIABOB0000000000001', secretAccessKey: secretFor('bob') },
  carol: { accessKeyId: 'AKIACAROL00000000001', secretAccessKey: secretFor('carol') },
  dave: { accessKeyId: 'AKIADAVE000000000001', secretAccessKey: secretFor('dave') },
  erin: { accessKeyId: 'AKIAERIN000000000001', secretAccessKey: secretFor('erin') },
} as const;

export const ROLE_ARNS = {
  mfaAdmin: `arn:aws:iam::${ACCOUNT}:role/MfaAdmin`,
  recentMfa: `arn:aws:iam::${ACCOUNT}:role/ops/RecentMfa`,
  open: `arn:aws:iam::${ACCOUNT}:role/Open`,
  partner: `arn:aws:iam::${PARTNER_ACCOUNT}:role/PartnerAudit`,
} as const;

export const EXTERNAL_ID = 'partner-ext-4711';
export const FORCE_MFA_ARN = `arn:aws:iam::${ACCOUNT}:policy/ForceMFA`;

const key = (name: keyof typeof KEYS, status: 'Active' | 'Inactive' = 'Active') => ({
  id: KEYS[name].accessKeyId,
  secret: KEYS[name].secretAccessKey,
  status,
  created: '2026-01-01T00:00:00Z',
});

const accountRoot = `arn:aws:iam::${ACCOUNT}:root`;

export function fixtureState(): StateFile {
  return {
    accounts: [
      { id: ACCOUNT, alias: 'demo' },
      { id: PARTNER_ACCOUNT, alias: 'partner' },
    ],
    policies: [
      {
        arn: FORCE_MFA_ARN,
        // AWS's "deny everything unless MFA" pattern.
        document: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'DenyAllExceptListedIfNoMFA',
              Effect: 'Deny',
              NotAction: [
                'iam:CreateVirtualMFADevice',
                'iam:EnableMFADevice',
                'iam:GetUser',
                'iam:ListMFADevices',
                'iam:ResyncMFADevice',
                'sts:GetSessionToken',
              ],
              Resource: '*',
              Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
            },
          ],
        },
      },
    ],
    groups: [
      {
        account: ACCOUNT,
        name: 'developers',
        inlinePolicies: [
          {
            name: 'assume-roles-and-read-self',
            document: {
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' },
                {
                  Effect: 'Allow',
                  Action: ['iam:GetUser', 'iam:ListMFADevices'],
                  Resource: `arn:aws:iam::${ACCOUNT}:user/\${aws:username}`,
                },
              ],
            },
          },
        ],
      },
    ],
    users: [
      {
        account: ACCOUNT,
        name: 'alice',
        groups: ['developers'],
        attachedPolicies: [FORCE_MFA_ARN],
        accessKeys: [key('alice')],
        mfaDevices: [{ serial: SERIALS.alice, type: 'virtual', seed: SEEDS.alice, enabledAt: '2026-01-01T00:00:00Z' }],
      },
      {
        account: ACCOUNT,
        name: 'bob',
        groups: ['developers'],
        accessKeys: [key('bob')],
        mfaDevices: [{ serial: SERIALS.bob, type: 'virtual', seed: SEEDS.bob }],
      },
      {
        account: ACCOUNT,
        name: 'carol',
        path: '/engineering/',
        groups: ['developers'],
        accessKeys: [key('carol')],
        mfaDevices: [{ serial: SERIALS.carol, type: 'hardware', seed: SEEDS.carol }],
      },
      { account: ACCOUNT, name: 'dave', groups: ['developers'], accessKeys: [key('dave', 'Inactive')] },
      { account: ACCOUNT, name: 'erin', accessKeys: [key('erin')] },
    ],
    roles: [
      {
        account: ACCOUNT,
        name: 'MfaAdmin',
        maxSessionDuration: 43200,
        trustPolicy: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: accountRoot },
              Action: 'sts:AssumeRole',
              Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
            },
          ],
        },
        inlinePolicies: [
          {
            name: 'admin',
            document: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: ['iam:*', 'sts:*'], Resource: '*' }],
            },
          },
        ],
      },
      {
        account: ACCOUNT,
        name: 'RecentMfa',
        path: '/ops/',
        trustPolicy: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: ACCOUNT },
              Action: 'sts:AssumeRole',
              Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } },
            },
          ],
        },
      },
      {
        account: ACCOUNT,
        name: 'Open',
        maxSessionDuration: 7200,
        trustPolicy: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: accountRoot }, Action: 'sts:AssumeRole' }],
        },
        inlinePolicies: [
          {
            name: 'chain',
            document: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }],
            },
          },
        ],
      },
      {
        account: PARTNER_ACCOUNT,
        name: 'PartnerAudit',
        trustPolicy: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: accountRoot },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } },
            },
          ],
        },
      },
    ],
  };
}
