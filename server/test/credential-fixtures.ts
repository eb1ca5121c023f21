import type { TemporaryCredentials } from '../src/formats/render-types.ts';

/** Credentials shaped like STS's, shared by the formats tests. */
export const roleCredentials: TemporaryCredentials = {
  accessKeyId: 'ASIAQEXAMPLE7KEYID2Z',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE+TOKEN/abc+def==',
  expiration: new Date('2030-01-02T03:04:05.678Z'),
  accountId: '123456789012',
  roleArn: 'arn:aws:iam::123456789012:role/ReadOnly',
  roleName: 'ReadOnly',
  assumedRoleArn: 'arn:aws:sts::123456789012:assumed-role/ReadOnly/alice',
  roleSessionName: 'alice',
  sourceIdentity: 'alice',
  userName: 'alice',
  region: 'eu-west-1',
};

/** The user's own MFA session (GetSessionToken): no role, no region. */
export const mfaSessionCredentials: TemporaryCredentials = {
  accessKeyId: 'ASIAQEXAMPLEMFASESS1',
  secretAccessKey: 'bPxRfiCYEXAMPLEKEY/wJalrXUtnFEMI+K7MDENG',
  sessionToken: 'FwoGZXIvYXdzEXAMPLEMFA+SESSION/token==',
  expiration: new Date('2030-01-02T15:00:00Z'),
  accountId: '123456789012',
  userName: 'alice',
};

/** Strings that would break out of an INI line or a shell, PowerShell or cmd snippet. */
export const hostileStrings = [
  'a\nb',
  'a\r\nb',
  'evil]\n[default',
  '[x]',
  '$(touch /tmp/pwned)',
  '${HOME}',
  '`id`',
  'x;rm -rf /',
  'x && y',
  'x | y',
  '%PATH%',
  'a^b',
  'a b',
  "a'b",
  'a"b',
  'a#b',
  'a\\b',
  'a\u0000b',
  'a\tb',
  'ünïcode',
  '!history',
  'a>b',
  'a<b',
  '(x)',
  '{x}',
  '*',
  '~root',
];
