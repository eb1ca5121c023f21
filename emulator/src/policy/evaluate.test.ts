import { describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../state/state-file.ts';
import { evaluateIdentityPolicies, type IdentityRequest, UnsupportedPolicyError } from './evaluate.ts';

const ACCOUNT = '111111111111';
const userArn = (name: string): string => `arn:aws:iam::${ACCOUNT}:user/${name}`;

// Request contexts as the emulator builds them for alice.
const longTermKeys = {
  'aws:username': 'alice',
  'aws:userid': 'AIDAALICE0000000000',
  'aws:PrincipalArn': userArn('alice'),
  'aws:PrincipalAccount': ACCOUNT,
  'aws:PrincipalType': 'User',
};
const mfaSession = { ...longTermKeys, 'aws:MultiFactorAuthPresent': 'true', 'aws:MultiFactorAuthAge': '120' };
const sessionWithoutMfa = { ...longTermKeys, 'aws:MultiFactorAuthPresent': 'false' };

const request = (action: string, resource: string, keys: IdentityRequest['keys']): IdentityRequest => ({
  action,
  resource,
  keys,
});
const decide = (
  docs: PolicyDocument[],
  action: string,
  resource: string,
  keys: IdentityRequest['keys'] = longTermKeys,
) => evaluateIdentityPolicies(docs, request(action, resource, keys)).decision;

// AWS example "Allows MFA-authenticated IAM users to manage their own credentials on the My
// Security Credentials page" (IAM User Guide, reference_policies_examples_aws_my-sec-creds-self-manage).
const selfManage: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AllowViewAccountInfo',
      Effect: 'Allow',
      Action: ['iam:GetAccountPasswordPolicy', 'iam:GetAccountSummary', 'iam:ListVirtualMFADevices'],
      Resource: '*',
    },
    {
      Sid: 'AllowManageOwnPasswords',
      Effect: 'Allow',
      Action: ['iam:ChangePassword', 'iam:GetUser'],
      Resource: 'arn:aws:iam::*:user/${aws:username}',
    },
    {
      Sid: 'AllowManageOwnAccessKeys',
      Effect: 'Allow',
      Action: ['iam:CreateAccessKey', 'iam:DeleteAccessKey', 'iam:ListAccessKeys', 'iam:UpdateAccessKey'],
      Resource: 'arn:aws:iam::*:user/${aws:username}',
    },
    {
      Sid: 'AllowManageOwnSigningCertificates',
      Effect: 'Allow',
      Action: [
        'iam:DeleteSigningCertificate',
        'iam:ListSigningCertificates',
        'iam:UpdateSigningCertificate',
        'iam:UploadSigningCertificate',
      ],
      Resource: 'arn:aws:iam::*:user/${aws:username}',
    },
    {
      Sid: 'AllowManageOwnSSHPublicKeys',
      Effect: 'Allow',
      Action: [
        'iam:DeleteSSHPublicKey',
        'iam:GetSSHPublicKey',
        'iam:ListSSHPublicKeys',
        'iam:UpdateSSHPublicKey',
        'iam:UploadSSHPublicKey',
      ],
      Resource: 'arn:aws:iam::*:user/${aws:username}',
    },
    {
      Sid: 'AllowManageOwnGitCredentials',
      Effect: 'Allow',
      Action: [
        'iam:CreateServiceSpecificCredential',
        'iam:DeleteServiceSpecificCredential',
        'iam:ListServiceSpecificCredentials',
        'iam:ResetServiceSpecificCredential',
        'iam:UpdateServiceSpecificCredential',
      ],
      Resource: 'arn:aws:iam::*:user/${aws:username}',
    },
    {
      Sid: 'AllowManageOwnVirtualMFADevice',
      Effect: 'Allow',
      Action: ['iam:CreateVirtualMFADevice', 'iam:DeleteVirtualMFADevice'],
      Resource: 'arn:aws:iam::*:mfa/${aws:username}',
    },
    {
      Sid: 'AllowManageOwnUserMFA',
      Effect: 'Allow',
      Action: ['iam:DeactivateMFADevice', 'iam:EnableMFADevice', 'iam:ListMFADevices', 'iam:ResyncMFADevice'],
      Resource: 'arn:aws:iam::*:user/${aws:username}',
    },
    {
      Sid: 'DenyAllExceptListedIfNoMFA',
      Effect: 'Deny',
      NotAction: [
        'iam:CreateVirtualMFADevice',
        'iam:EnableMFADevice',
        'iam:GetUser',
        'iam:ListMFADevices',
        'iam:ListVirtualMFADevices',
        'iam:ResyncMFADevice',
        'sts:GetSessionToken',
      ],
      Resource: '*',
      Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
    },
  ],
};

// The simplest force-MFA form, plus an administrator policy for it to restrict.
const denyAllWithoutMfa: PolicyDocument = {
  Version: '2012-10-17',
  Statement: {
    Effect: 'Deny',
    Action: '*',
    Resource: '*',
    Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
  },
};
const administratorAccess: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

describe('self-service "deny all except listed if no MFA" policy', () => {
  it('denies long-term keys (no MFA key at all) everything outside the listed actions', () => {
    const result = evaluateIdentityPolicies(
      [selfManage, administratorAccess],
      request('s3:ListAllMyBuckets', '*', longTermKeys),
    );
    expect(result).toEqual({
      decision: 'ExplicitDeny',
      reason: 'Explicitly denied by statement 8 (Sid "DenyAllExceptListedIfNoMFA") of policy 0',
      matchedStatement: { sid: 'DenyAllExceptListedIfNoMFA', effect: 'Deny', index: 8, policyIndex: 0 },
    });
    expect(decide([selfManage], 'iam:ChangePassword', userArn('alice'))).toBe('ExplicitDeny');
    expect(decide([selfManage], 'iam:CreateAccessKey', userArn('alice'))).toBe('ExplicitDeny');
  });

  it('lets long-term keys reach the listed MFA set-up actions on their own user only', () => {
    const result = evaluateIdentityPolicies(
      [selfManage],
      request('iam:ListMFADevices', userArn('alice'), longTermKeys),
    );
    expect(result.decision).toBe('Allow');
    expect(result.matchedStatement).toEqual({
      sid: 'AllowManageOwnUserMFA',
      effect: 'Allow',
      index: 7,
      policyIndex: 0,
    });
    expect(decide([selfManage], 'iam:ListMFADevices', userArn('bob'))).toBe('ImplicitDeny');
    expect(decide([selfManage], 'iam:CreateVirtualMFADevice', `arn:aws:iam::${ACCOUNT}:mfa/alice`)).toBe('Allow');
    expect(decide([selfManage], 'iam:CreateVirtualMFADevice', `arn:aws:iam::${ACCOUNT}:mfa/bob`)).toBe('ImplicitDeny');
    expect(decide([selfManage], 'iam:GetUser', userArn('alice'))).toBe('Allow');
  });

  it('allows an MFA session everything its policies allow', () => {
    expect(decide([selfManage], 'iam:ChangePassword', userArn('alice'), mfaSession)).toBe('Allow');
    expect(decide([selfManage], 'iam:CreateAccessKey', userArn('alice'), mfaSession)).toBe('Allow');
    expect(decide([selfManage], 's3:ListAllMyBuckets', '*', mfaSession)).toBe('ImplicitDeny');
    expect(decide([selfManage, administratorAccess], 's3:ListAllMyBuckets', '*', mfaSession)).toBe('Allow');
  });

  it('denies a session created without MFA (aws:MultiFactorAuthPresent "false")', () => {
    expect(decide([selfManage, administratorAccess], 's3:ListAllMyBuckets', '*', sessionWithoutMfa)).toBe(
      'ExplicitDeny',
    );
    expect(decide([selfManage], 'iam:ListMFADevices', userArn('alice'), sessionWithoutMfa)).toBe('Allow');
  });

  it('matches key names and Bool values case-insensitively', () => {
    const keys = { ...longTermKeys, 'AWS:MULTIFACTORAUTHPRESENT': 'TRUE' };
    expect(decide([selfManage, administratorAccess], 's3:ListAllMyBuckets', '*', keys)).toBe('Allow');
  });

  it('does not resolve ${aws:username} for callers without a user name (role sessions)', () => {
    const roleSession = { 'aws:userid': 'AROAEXAMPLE:session', 'aws:MultiFactorAuthPresent': 'true' };
    expect(decide([selfManage], 'iam:ChangePassword', userArn('alice'), roleSession)).toBe('ImplicitDeny');
  });
});

describe('Deny * unless MFA (BoolIfExists)', () => {
  const docs = [denyAllWithoutMfa, administratorAccess];
  it('denies long-term keys, allows MFA sessions, denies non-MFA sessions', () => {
    expect(decide(docs, 'ec2:DescribeInstances', '*', longTermKeys)).toBe('ExplicitDeny');
    expect(decide(docs, 'ec2:DescribeInstances', '*', mfaSession)).toBe('Allow');
    expect(decide(docs, 'ec2:DescribeInstances', '*', sessionWithoutMfa)).toBe('ExplicitDeny');
  });

  it('with plain Bool instead of BoolIfExists the Deny misses long-term keys (absent key does not match)', () => {
    const boolOnly: PolicyDocument = {
      Version: '2012-10-17',
      Statement: {
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } },
      },
    };
    expect(decide([boolOnly, administratorAccess], 'ec2:DescribeInstances', '*', longTermKeys)).toBe('Allow');
    expect(decide([boolOnly, administratorAccess], 'ec2:DescribeInstances', '*', sessionWithoutMfa)).toBe(
      'ExplicitDeny',
    );
  });
});

describe('combining documents', () => {
  const allowS3: PolicyDocument = {
    Version: '2012-10-17',
    Statement: { Effect: 'Allow', Action: 's3:*', Resource: '*' },
  };
  const denyDelete: PolicyDocument = {
    Version: '2012-10-17',
    Statement: { Sid: 'NoDeletes', Effect: 'Deny', Action: 's3:Delete*', Resource: 'arn:aws:s3:::prod/*' },
  };

  it('lets an explicit Deny in any document beat an Allow in another, in either order', () => {
    for (const docs of [
      [allowS3, denyDelete],
      [denyDelete, allowS3],
    ]) {
      expect(decide(docs, 's3:DeleteObject', 'arn:aws:s3:::prod/a.txt')).toBe('ExplicitDeny');
      expect(decide(docs, 's3:DeleteObject', 'arn:aws:s3:::dev/a.txt')).toBe('Allow');
      expect(decide(docs, 's3:GetObject', 'arn:aws:s3:::prod/a.txt')).toBe('Allow');
    }
    const result = evaluateIdentityPolicies(
      [allowS3, denyDelete],
      request('s3:DeleteObject', 'arn:aws:s3:::prod/a', {}),
    );
    expect(result.matchedStatement).toEqual({ sid: 'NoDeletes', effect: 'Deny', index: 0, policyIndex: 1 });
  });

  it('denies implicitly when nothing applies, including with no documents', () => {
    expect(evaluateIdentityPolicies([], request('s3:GetObject', '*', {}))).toEqual({
      decision: 'ImplicitDeny',
      reason: 'No statement allows s3:GetObject on *',
    });
    expect(decide([{ Version: '2012-10-17' }], 's3:GetObject', '*')).toBe('ImplicitDeny');
    expect(decide([allowS3], 'ec2:RunInstances', '*')).toBe('ImplicitDeny');
  });

  it('reports the first Allow when several apply', () => {
    const result = evaluateIdentityPolicies(
      [denyDelete, allowS3, administratorAccess],
      request('s3:GetObject', '*', {}),
    );
    expect(result).toMatchObject({
      decision: 'Allow',
      matchedStatement: { effect: 'Allow', index: 0, policyIndex: 1 },
    });
    expect(result.matchedStatement).not.toHaveProperty('sid');
  });
});

describe('Action and NotAction', () => {
  const allow = (action: unknown): PolicyDocument => ({
    Version: '2012-10-17',
    Statement: { Effect: 'Allow', Action: action as string, Resource: '*' },
  });

  it('matches case-insensitively with * and ? wildcards', () => {
    expect(decide([allow('iam:*')], 'iam:ListUsers', '*')).toBe('Allow');
    expect(decide([allow('iam:List*')], 'iam:ListUsers', '*')).toBe('Allow');
    expect(decide([allow('iam:List*')], 'iam:GetUser', '*')).toBe('ImplicitDeny');
    expect(decide([allow('IAM:listusers')], 'iam:ListUsers', '*')).toBe('Allow');
    expect(decide([allow('iam:?etUser')], 'iam:GetUser', '*')).toBe('Allow');
    expect(decide([allow('iam:?etUser')], 'iam:GGetUser', '*')).toBe('ImplicitDeny');
    expect(decide([allow('*')], 'sts:GetCallerIdentity', '*')).toBe('Allow');
    expect(decide([allow(['s3:GetObject', 'iam:GetUser'])], 'iam:GetUser', '*')).toBe('Allow');
    expect(decide([allow('iam:ListUser')], 'iam:ListUsers', '*')).toBe('ImplicitDeny');
  });

  it('NotAction applies to every action except the listed ones (AWS example: allow all but IAM)', () => {
    const notIam: PolicyDocument = {
      Version: '2012-10-17',
      Statement: { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' },
    };
    expect(decide([notIam], 's3:GetObject', '*')).toBe('Allow');
    expect(decide([notIam], 'iam:ListUsers', '*')).toBe('ImplicitDeny');
    expect(decide([notIam], 'IAM:ListUsers', '*')).toBe('ImplicitDeny');
  });
});

describe('Resource and NotResource', () => {
  const allowOn = (resource: unknown, version = '2012-10-17'): PolicyDocument => ({
    Version: version,
    Statement: { Effect: 'Allow', Action: 's3:*', Resource: resource as string },
  });

  it('matches with wildcards, case-sensitively', () => {
    expect(decide([allowOn('arn:aws:s3:::bucket/*')], 's3:GetObject', 'arn:aws:s3:::bucket/a/b.txt')).toBe('Allow');
    expect(decide([allowOn('arn:aws:s3:::bucket/*')], 's3:GetObject', 'arn:aws:s3:::Bucket/a.txt')).toBe(
      'ImplicitDeny',
    );
    expect(decide([allowOn('arn:aws:s3:::bucket-?')], 's3:ListBucket', 'arn:aws:s3:::bucket-a')).toBe('Allow');
    expect(decide([allowOn('arn:aws:s3:::bucket-?')], 's3:ListBucket', 'arn:aws:s3:::bucket-ab')).toBe('ImplicitDeny');
    expect(decide([allowOn('arn:aws:s3:::bucket-?')], 's3:ListBucket', 'arn:aws:s3:::bucket-')).toBe('ImplicitDeny');
    expect(decide([allowOn(['arn:aws:s3:::one', 'arn:aws:s3:::two'])], 's3:ListBucket', 'arn:aws:s3:::two')).toBe(
      'Allow',
    );
  });

  it('keeps a mid-segment * inside its colon-separated segment, lets a segment-final * run on', () => {
    expect(decide([allowOn('arn:aws:s3:::a*z')], 's3:GetObject', 'arn:aws:s3:::a:b:z')).toBe('ImplicitDeny');
    expect(decide([allowOn('arn:aws:s3:::a*z')], 's3:GetObject', 'arn:aws:s3:::a/b/z')).toBe('Allow');
    expect(decide([allowOn('arn:aws:*')], 's3:GetObject', 'arn:aws:s3:::a:b')).toBe('Allow');
  });

  it('substitutes ${aws:username} and other variables from the request context', () => {
    const ownUser = allowOn('arn:aws:iam::*:user/${aws:username}');
    expect(decide([ownUser], 's3:x', userArn('alice'))).toBe('Allow');
    expect(decide([ownUser], 's3:x', userArn('bob'))).toBe('ImplicitDeny');
    expect(decide([ownUser], 's3:x', userArn('alice'), {})).toBe('ImplicitDeny');
    const home = allowOn('arn:aws:s3:::home/${aws:PrincipalAccount}/${aws:userid}/*');
    expect(decide([home], 's3:GetObject', `arn:aws:s3:::home/${ACCOUNT}/AIDAALICE0000000000/notes.txt`)).toBe('Allow');
    expect(decide([home], 's3:GetObject', `arn:aws:s3:::home/${ACCOUNT}/AIDABOB/notes.txt`)).toBe('ImplicitDeny');
    const tagged = allowOn('arn:aws:s3:::bucket/${aws:PrincipalTag/department}/*');
    expect(decide([tagged], 's3:GetObject', 'arn:aws:s3:::bucket/hr/x', { 'aws:PrincipalTag/department': 'hr' })).toBe(
      'Allow',
    );
  });

  it('uses a documented default value when the key is absent', () => {
    const doc = allowOn("arn:aws:s3:::bucket/${aws:username, 'anonymous'}/*");
    expect(decide([doc], 's3:GetObject', 'arn:aws:s3:::bucket/anonymous/x', {})).toBe('Allow');
    expect(decide([doc], 's3:GetObject', 'arn:aws:s3:::bucket/alice/x')).toBe('Allow');
    expect(decide([doc], 's3:GetObject', 'arn:aws:s3:::bucket/anonymous/x')).toBe('ImplicitDeny');
  });

  it('treats ${*}, ${?} and ${$} as literal characters, and a substituted value never as a wildcard', () => {
    const literalStar = allowOn('arn:aws:s3:::bucket/${*}');
    expect(decide([literalStar], 's3:GetObject', 'arn:aws:s3:::bucket/*')).toBe('Allow');
    expect(decide([literalStar], 's3:GetObject', 'arn:aws:s3:::bucket/x')).toBe('ImplicitDeny');
    expect(decide([allowOn('arn:aws:s3:::b/${?}${$}')], 's3:GetObject', 'arn:aws:s3:::b/?$')).toBe('Allow');
    expect(decide([allowOn('arn:aws:s3:::b/${?}')], 's3:GetObject', 'arn:aws:s3:::b/x')).toBe('ImplicitDeny');
    const ownUser = allowOn('arn:aws:s3:::b/${aws:username}');
    expect(decide([ownUser], 's3:GetObject', 'arn:aws:s3:::b/anything', { 'aws:username': '*' })).toBe('ImplicitDeny');
  });

  it('treats variables literally in documents without Version 2012-10-17', () => {
    const old = allowOn('arn:aws:iam::*:user/${aws:username}', '2008-10-17');
    expect(decide([old], 's3:x', userArn('alice'))).toBe('ImplicitDeny');
    expect(decide([old], 's3:x', 'arn:aws:iam::1:user/${aws:username}')).toBe('Allow');
  });

  it('refuses a variable naming a key the emulator does not supply', () => {
    expect(() => decide([allowOn('arn:aws:s3:::b/${aws:SourceIp}')], 's3:GetObject', 'arn:aws:s3:::b/x')).toThrow(
      new UnsupportedPolicyError("Unsupported policy variable '${aws:SourceIp}' in statement 0 of policy 0"),
    );
    expect(() => decide([allowOn('arn:aws:s3:::b/${aws:TagKeys}')], 's3:GetObject', 'arn:aws:s3:::b/x')).toThrow(
      UnsupportedPolicyError,
    );
  });

  it('NotResource applies to every resource except the listed ones', () => {
    const denyOutsideHome: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:*', Resource: '*' },
        {
          Effect: 'Deny',
          Action: 's3:*',
          NotResource: ['arn:aws:s3:::home/${aws:username}', 'arn:aws:s3:::home/${aws:username}/*'],
        },
      ],
    };
    expect(decide([denyOutsideHome], 's3:GetObject', 'arn:aws:s3:::home/alice/a.txt')).toBe('Allow');
    expect(decide([denyOutsideHome], 's3:GetObject', 'arn:aws:s3:::home/bob/a.txt')).toBe('ExplicitDeny');
    // An unresolvable variable makes the NotResource statement not apply instead of widening it.
    expect(decide([denyOutsideHome], 's3:GetObject', 'arn:aws:s3:::home/bob/a.txt', {})).toBe('Allow');
  });
});

describe('malformed and unsupported policies fail closed', () => {
  const statement = (fields: Record<string, unknown>): PolicyDocument => ({
    Version: '2012-10-17',
    Statement: [fields as never],
  });
  const message = (doc: PolicyDocument): string => {
    try {
      decide([doc], 's3:GetObject', '*');
    } catch (error) {
      expect(error).toBeInstanceOf(UnsupportedPolicyError);
      return (error as Error).message;
    }
    throw new Error('expected UnsupportedPolicyError');
  };

  it('rejects statements AWS would reject, naming the statement', () => {
    expect(message(statement({ Sid: 'NoAction', Effect: 'Allow', Resource: '*' }))).toBe(
      'Malformed statement 0 (Sid "NoAction") of policy 0: it has neither Action nor NotAction',
    );
    expect(message(statement({ Effect: 'Allow', Action: 's3:*' }))).toBe(
      'Malformed statement 0 of policy 0: it has neither Resource nor NotResource',
    );
    expect(message(statement({ Effect: 'Allow', Action: 's3:*', NotAction: 'iam:*', Resource: '*' }))).toMatch(
      /both Action and NotAction/,
    );
    expect(message(statement({ Effect: 'Allow', Action: 's3:*', Resource: '*', NotResource: 'x' }))).toMatch(
      /both Resource and NotResource/,
    );
    expect(message(statement({ Effect: 'allow', Action: 's3:*', Resource: '*' }))).toMatch(/Effect must be/);
    expect(message(statement({ Effect: 'Allow', Action: 's3:*', Resource: '*', Principal: '*' }))).toMatch(
      /cannot name a Principal/,
    );
    expect(message(statement({ Effect: 'Allow', Action: 's3:*', Resource: '*', Condtion: {} }))).toMatch(
      /unknown field 'Condtion'/,
    );
    expect(message(statement({ Effect: 'Allow', Action: [], Resource: '*' }))).toMatch(/Action must be a non-empty/);
    expect(message({ Version: '2012-10-18', Statement: [] })).toMatch(/unsupported Version/);
    expect(message(statement({ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { Bool: 'x' } }))).toMatch(
      /must map keys/,
    );
  });

  it('rejects a malformed document even when another document already denies', () => {
    const broken = statement({ Effect: 'Allow', Resource: '*' });
    expect(() => decide([denyAllWithoutMfa, broken], 's3:GetObject', '*')).toThrow(/statement 0 of policy 1/);
  });

  it('throws for an unsupported operator or key in a statement that applies', () => {
    const unsupported = (condition: Record<string, unknown>): PolicyDocument =>
      statement({ Sid: 'S', Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: condition });
    expect(message(unsupported({ Foo: { 'aws:username': 'alice' } }))).toBe(
      `Unsupported condition operator 'Foo' in statement 0 (Sid "S") of policy 0`,
    );
    expect(message(unsupported({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }))).toMatch(
      /Unsupported condition operator 'IpAddress'/,
    );
    expect(message(unsupported({ StringEquals: { 'aws:SourceVpc': 'vpc-1' } }))).toBe(
      `Unsupported condition key 'aws:SourceVpc' in statement 0 (Sid "S") of policy 0`,
    );
    expect(message(unsupported({ NullIfExists: { 'aws:username': 'true' } }))).toMatch(/operator 'NullIfExists'/);
    expect(message(unsupported({ 'ForAnyValue:Null': { 'aws:TagKeys': 'true' } }))).toMatch(
      /operator 'ForAnyValue:Null'/,
    );
    expect(message(unsupported({ bool: { 'aws:SecureTransport': 'true' } }))).toMatch(/operator 'bool'/);
    // An unsupported key in a Deny must not be skipped: that would silently allow.
    const deny: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Effect: 'Deny', Action: '*', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
      ],
    };
    expect(() => decide([deny], 's3:GetObject', '*')).toThrow(UnsupportedPolicyError);
  });

  it('ignores unsupported conditions of statements whose action or resource does not apply', () => {
    const doc: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
        { Effect: 'Deny', Action: 'ec2:*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
        {
          Effect: 'Deny',
          Action: 's3:*',
          Resource: 'arn:aws:s3:::other',
          Condition: { StringEquals: { 'aws:SourceVpc': 'v' } },
        },
      ],
    };
    expect(decide([doc], 's3:GetObject', 'arn:aws:s3:::mine')).toBe('Allow');
  });

  it('rejects invalid values for typed operators', () => {
    const typed = (condition: Record<string, unknown>): PolicyDocument =>
      statement({ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: condition });
    expect(message(typed({ NumericLessThan: { 'aws:MultiFactorAuthAge': '1h' } }))).toBe(
      "Invalid value '1h' for condition operator 'NumericLessThan' in statement 0 of policy 0",
    );
    expect(message(typed({ DateLessThan: { 'aws:CurrentTime': 'tomorrow' } }))).toMatch(/Invalid value 'tomorrow'/);
    expect(message(typed({ Bool: { 'aws:SecureTransport': 'yes' } }))).toMatch(/Invalid value 'yes'/);
    expect(message(typed({ StringEquals: { 'aws:username': [] } }))).toMatch(/no values/);
    expect(message(typed({ StringEquals: { 'aws:username': { a: 1 } } }))).toMatch(/values must be/);
  });
});
