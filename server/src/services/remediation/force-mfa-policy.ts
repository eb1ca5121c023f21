/**
 * The customer-managed policy behind "Require MFA for this user's keys": AWS's documented
 * self-service example ("AWS: Allows MFA-authenticated IAM users to manage their own MFA device",
 * IAM User Guide), whose last statement denies everything but MFA set-up while
 * `aws:MultiFactorAuthPresent` is false or absent (long-term keys). The portal's exemptions are
 * added to that statement's NotAction: `sts:GetSessionToken` (AWS lists it too) and
 * `sts:AssumeRole`, so the portal can assume roles with the user's code directly; every role
 * in the catalog must then demand MFA in its trust policy (the portal warns about those that do not).
 */
export const FORCE_MFA_POLICY_NAME = 'AwsMfaPortalForceMfa';
export const FORCE_MFA_POLICY_PATH = '/aws-mfa-portal/';
export const FORCE_MFA_POLICY_DESCRIPTION =
  'Created by the AWS MFA portal: denies requests without MFA except MFA set-up, GetSessionToken and AssumeRole.';

/** Actions the portal exempts from the deny (beyond AWS's example). */
export const PORTAL_EXEMPT_ACTIONS = ['sts:AssumeRole'] as const;

export function forceMfaPolicyArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:policy${FORCE_MFA_POLICY_PATH}${FORCE_MFA_POLICY_NAME}`;
}

export function forceMfaPolicyDocument() {
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'AllowViewAccountInfo', Effect: 'Allow', Action: 'iam:ListVirtualMFADevices', Resource: '*' },
      {
        Sid: 'AllowManageOwnVirtualMFADevice',
        Effect: 'Allow',
        Action: ['iam:CreateVirtualMFADevice'],
        Resource: 'arn:aws:iam::*:mfa/*',
      },
      {
        Sid: 'AllowManageOwnUserMFA',
        Effect: 'Allow',
        Action: [
          'iam:DeactivateMFADevice',
          'iam:EnableMFADevice',
          'iam:GetUser',
          'iam:GetMFADevice',
          'iam:ListMFADevices',
          'iam:ResyncMFADevice',
        ],
        Resource: 'arn:aws:iam::*:user/${aws:username}',
      },
      {
        Sid: 'DenyAllExceptListedIfNoMFA',
        Effect: 'Deny',
        NotAction: [
          'iam:CreateVirtualMFADevice',
          'iam:EnableMFADevice',
          'iam:GetUser',
          'iam:GetMFADevice',
          'iam:ListMFADevices',
          'iam:ListVirtualMFADevices',
          'iam:ResyncMFADevice',
          'sts:GetSessionToken',
          ...PORTAL_EXEMPT_ACTIONS,
        ],
        Resource: '*',
        Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
      },
    ],
  };
}

/** Same document, whatever the key order or one-element lists IAM may hand back. */
export function sameDocument(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) {
    const items = value.map(canonical);
    return items.length === 1 ? items[0]! : `[${items.join(',')}]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
