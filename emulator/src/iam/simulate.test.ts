import { describe, expect, it } from 'vitest';
import { call, harness, members } from '../../test/iam-context.ts';
import { simulatePrincipalPolicy } from './simulate.ts';

const ALICE = 'arn:aws:iam::111111111111:user/alice';
const DAVE = 'arn:aws:iam::111111111111:user/dave';

const withoutMfa = {
  'ContextEntries.member.1.ContextKeyName': 'aws:MultiFactorAuthPresent',
  'ContextEntries.member.1.ContextKeyValues.member.1': 'false',
  'ContextEntries.member.1.ContextKeyType': 'boolean',
};

async function simulate(params: Record<string, string>) {
  const h = harness();
  const result = await call(h, 'SimulatePrincipalPolicy', simulatePrincipalPolicy, params);
  return { h, result, rows: members(result?.EvaluationResults) };
}

describe('SimulatePrincipalPolicy', () => {
  it("denies a force-MFA user's S3 action when aws:MultiFactorAuthPresent=false, naming the policy", async () => {
    const { h, rows } = await simulate({
      PolicySourceArn: ALICE,
      'ActionNames.member.1': 's3:ListAllMyBuckets',
      ...withoutMfa,
    });
    expect(rows).toEqual([
      {
        EvalActionName: 's3:ListAllMyBuckets',
        EvalResourceName: '*',
        EvalDecision: 'explicitDeny',
        MatchedStatements: [{ SourcePolicyId: 'ForceMFA', SourcePolicyType: 'user-managed' }],
        MissingContextValues: [],
      },
    ]);
    expect(h.authorized).toEqual([{ action: 'iam:SimulatePrincipalPolicy', resource: ALICE }]);
  });

  it('allows the same action for a user without a force-MFA policy (dave: keys work without MFA)', async () => {
    const { rows } = await simulate({
      PolicySourceArn: DAVE,
      'ActionNames.member.1': 's3:ListAllMyBuckets',
      ...withoutMfa,
    });
    expect(rows[0]).toMatchObject({
      EvalDecision: 'allowed',
      MatchedStatements: [{ SourcePolicyId: 'DeveloperAccess', SourcePolicyType: 'user-managed' }],
    });
  });

  it("decides within the user's permissions boundary, reporting PermissionsBoundaryDecisionDetail", async () => {
    const h = harness();
    h.store.findUser('111111111111', 'dave')!.permissionsBoundary = 'arn:aws:iam::111111111111:policy/ForceMFA';
    const run = async (params: Record<string, string>) =>
      members((await call(h, 'SimulatePrincipalPolicy', simulatePrincipalPolicy, params))?.EvaluationResults);
    // Without MFA the boundary's Deny wins over DeveloperAccess's Allow.
    expect(await run({ PolicySourceArn: DAVE, 'ActionNames.member.1': 's3:ListAllMyBuckets', ...withoutMfa })).toEqual([
      {
        EvalActionName: 's3:ListAllMyBuckets',
        EvalResourceName: '*',
        EvalDecision: 'explicitDeny',
        MatchedStatements: [{ SourcePolicyId: 'ForceMFA', SourcePolicyType: 'user-managed' }],
        MissingContextValues: [],
        PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: false },
      },
    ]);
    // With MFA the boundary still allows no S3 action: nothing grants it.
    const withMfa = { ...withoutMfa, 'ContextEntries.member.1.ContextKeyValues.member.1': 'true' };
    expect(
      (await run({ PolicySourceArn: DAVE, 'ActionNames.member.1': 's3:ListAllMyBuckets', ...withMfa }))[0],
    ).toMatchObject({
      EvalDecision: 'implicitDeny',
      MatchedStatements: [],
      PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: false },
    });
    // The boundary's condition keys count as missing when the context lacks them.
    expect((await run({ PolicySourceArn: DAVE, 'ActionNames.member.1': 's3:ListAllMyBuckets' }))[0]).toMatchObject({
      MissingContextValues: ['aws:MultiFactorAuthPresent'],
    });
    // A boundary given to the simulation replaces the user's own; two are refused.
    const allowS3 = JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] });
    const replaced = { PolicySourceArn: DAVE, 'ActionNames.member.1': 's3:ListAllMyBuckets', ...withoutMfa };
    expect((await run({ ...replaced, 'PermissionsBoundaryPolicyInputList.member.1': allowS3 }))[0]).toMatchObject({
      EvalDecision: 'allowed',
      PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: true },
    });
    await expect(
      run({
        ...replaced,
        'PermissionsBoundaryPolicyInputList.member.1': allowS3,
        'PermissionsBoundaryPolicyInputList.member.2': allowS3,
      }),
    ).rejects.toMatchObject({ code: 'ValidationError', status: 400 });
  });

  it('allows the force-MFA user with MFA, and exempts the listed actions without it', async () => {
    const withMfa = { ...withoutMfa, 'ContextEntries.member.1.ContextKeyValues.member.1': 'true' };
    const mfa = await simulate({ PolicySourceArn: ALICE, 'ActionNames.member.1': 's3:ListAllMyBuckets', ...withMfa });
    expect(mfa.rows[0]?.EvalDecision).toBe('allowed');
    const exempt = await simulate({
      PolicySourceArn: ALICE,
      'ActionNames.member.1': 'sts:GetSessionToken',
      ...withoutMfa,
    });
    expect(exempt.rows[0]?.EvalDecision).toBe('implicitDeny');
  });

  it('reports the condition keys it was not given', async () => {
    const { rows } = await simulate({ PolicySourceArn: ALICE, 'ActionNames.member.1': 's3:ListAllMyBuckets' });
    expect(rows[0]?.MissingContextValues).toEqual(['aws:MultiFactorAuthPresent']);
  });

  it('resolves ${aws:username} from the simulated user', async () => {
    const { rows } = await simulate({
      PolicySourceArn: ALICE,
      'ActionNames.member.1': 'iam:CreateAccessKey',
      'ResourceArns.member.1': ALICE,
      'ResourceArns.member.2': DAVE,
      'ContextEntries.member.1.ContextKeyName': 'aws:MultiFactorAuthPresent',
      'ContextEntries.member.1.ContextKeyValues.member.1': 'true',
      'ContextEntries.member.1.ContextKeyType': 'boolean',
    });
    expect(rows.map((r) => [r.EvalResourceName, r.EvalDecision])).toEqual([
      [ALICE, 'allowed'],
      [DAVE, 'implicitDeny'],
    ]);
    expect(rows[0]?.MatchedStatements).toEqual([{ SourcePolicyId: 'self-service', SourcePolicyType: 'user' }]);
  });

  it('simulates roles and groups', async () => {
    const role = await simulate({
      PolicySourceArn: 'arn:aws:iam::111111111111:role/ci/Deploy',
      'ActionNames.member.1': 's3:PutObject',
      'ResourceArns.member.1': 'arn:aws:s3:::deploy-bucket/app.zip',
      'ResourceArns.member.2': 'arn:aws:s3:::other-bucket/app.zip',
    });
    expect(role.rows.map((r) => r.EvalDecision)).toEqual(['allowed', 'implicitDeny']);
    expect(role.rows[0]?.MatchedStatements).toEqual([{ SourcePolicyId: 'deploy', SourcePolicyType: 'role' }]);
    const group = await simulate({
      PolicySourceArn: 'arn:aws:iam::111111111111:group/ops/admins',
      'ActionNames.member.1': 'ec2:RunInstances',
    });
    expect(group.rows[0]).toMatchObject({
      EvalDecision: 'allowed',
      MatchedStatements: [{ SourcePolicyId: 'admin-all', SourcePolicyType: 'group' }],
    });
  });

  it('paginates the action x resource results', async () => {
    const params = {
      PolicySourceArn: DAVE,
      'ActionNames.member.1': 's3:GetObject',
      'ActionNames.member.2': 's3:PutObject',
      'ActionNames.member.3': 'ec2:RunInstances',
      MaxItems: '2',
    };
    const first = await simulate(params);
    expect(first.rows.map((r) => r.EvalActionName)).toEqual(['s3:GetObject', 's3:PutObject']);
    expect(first.result?.IsTruncated).toBe(true);
    const second = await simulate({ ...params, Marker: String(first.result?.Marker) });
    expect(second.rows.map((r) => [r.EvalActionName, r.EvalDecision])).toEqual([['ec2:RunInstances', 'implicitDeny']]);
    expect(second.result?.IsTruncated).toBe(false);
  });

  it('fails for unknown principals, other accounts and malformed input', async () => {
    const one = { 'ActionNames.member.1': 's3:GetObject' };
    await expect(simulate({ PolicySourceArn: 'arn:aws:iam::111111111111:user/mallory', ...one })).rejects.toMatchObject(
      {
        code: 'NoSuchEntity',
        message: 'The user with name mallory cannot be found.',
      },
    );
    await expect(simulate({ PolicySourceArn: 'arn:aws:iam::222222222222:user/zed', ...one })).rejects.toMatchObject({
      code: 'NoSuchEntity',
    });
    await expect(simulate({ PolicySourceArn: 'arn:aws:iam::111111111111:user/carol', ...one })).rejects.toMatchObject({
      code: 'NoSuchEntity',
    });
    await expect(simulate({ PolicySourceArn: 'arn:aws:s3:::bucket-name-here', ...one })).rejects.toMatchObject({
      code: 'InvalidInput',
    });
    await expect(simulate({ PolicySourceArn: ALICE })).rejects.toMatchObject({ code: 'ValidationError' });
    await expect(
      simulate({
        PolicySourceArn: ALICE,
        ...one,
        'ContextEntries.member.1.ContextKeyName': 'aws:MultiFactorAuthPresent',
        'ContextEntries.member.1.ContextKeyType': 'bool',
      }),
    ).rejects.toMatchObject({ code: 'ValidationError' });
  });
});
