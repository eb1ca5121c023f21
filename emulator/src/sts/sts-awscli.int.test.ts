import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Credentials,
  oathtoolCode,
  requireTool,
  startTestEmulator,
  type TestEmulator,
} from '../../test/emulator-harness.ts';
import { ACCOUNT, EXTERNAL_ID, KEYS, PARTNER_ACCOUNT, ROLE_ARNS, SEEDS, SERIALS } from '../../test/fixture-state.ts';

// Independent clients: the official AWS CLI v2 (Debian's awscli, not a pyenv v1 on PATH),
// botocore/boto3 (Debian's python3-boto3) and TOTP codes from Debian's oathtool.
const AWS_CLI = '/usr/bin/aws';
const PYTHON = '/usr/bin/python3';
const run = promisify(execFile);

let emulator: TestEmulator;
beforeAll(async () => {
  requireTool(AWS_CLI, 'awscli');
  requireTool(PYTHON, 'python3-boto3');
  requireTool('/usr/bin/oathtool', 'oathtool');
  emulator = await startTestEmulator();
});
afterAll(() => emulator?.close());

function isolatedEnv(credentials: Credentials): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
    // Nothing from the machine's own AWS configuration may leak in.
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_DEFAULT_REGION: 'ap-southeast-2',
    AWS_MAX_ATTEMPTS: '1',
    AWS_PAGER: '',
  };
}

// biome-ignore lint/suspicious/noExplicitAny: the CLI's JSON output, read loosely by the assertions
type CliResult = { ok: true; json: Record<string, any> } | { ok: false; exitCode: number; stderr: string };

async function aws(credentials: Credentials, args: string[]): Promise<CliResult> {
  try {
    const { stdout } = await run(AWS_CLI, [...args, '--endpoint-url', emulator.url, '--output', 'json'], {
      env: isolatedEnv(credentials),
    });
    return { ok: true, json: JSON.parse(stdout) };
  } catch (error) {
    const e = error as { code?: number; stderr?: string };
    return { ok: false, exitCode: e.code ?? -1, stderr: (e.stderr ?? '').trim() };
  }
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The CLI's error line; it may add "(reached max retries: 0)" and trims the trailing space. */
function expectCliError(result: CliResult, operation: string, code: string, message: string): void {
  const line = new RegExp(
    `^An error occurred \\(${code}\\) when calling the ${operation} operation(?: \\(reached max retries: \\d+\\))?: ${escapeRegExp(message.trim())}$`,
  );
  expect(result).toEqual({ ok: false, exitCode: 254, stderr: expect.stringMatching(line) });
}

function nextCode(user: keyof typeof SEEDS): string {
  emulator.advance(30);
  return oathtoolCode(SEEDS[user], emulator.now());
}

const sessionOf = (result: CliResult): Credentials => {
  if (!result.ok) throw new Error(`expected success, got: ${result.stderr}`);
  const c = result.json.Credentials;
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
};

// Each CLI run costs ~0.8 s of Python start-up on these machines, so the CLI checks a
// representative subset (the SDK suite covers every case) and independent calls run concurrently.
describe('AWS CLI v2', () => {
  it('passes an ExternalId cross-account and is refused with a wrong secret', async () => {
    const [partner, wrongSecret] = await Promise.all([
      aws(KEYS.bob, [
        'sts',
        'assume-role',
        '--role-arn',
        ROLE_ARNS.partner,
        '--role-session-name',
        'audit',
        '--external-id',
        EXTERNAL_ID,
      ]),
      aws({ ...KEYS.bob, secretAccessKey: KEYS.carol.secretAccessKey }, ['sts', 'get-caller-identity']),
    ]);
    expect(partner.ok && partner.json.AssumedRoleUser.Arn).toBe(
      `arn:aws:sts::${PARTNER_ACCOUNT}:assumed-role/PartnerAudit/audit`,
    );
    expectCliError(
      wrongSecret,
      'GetCallerIdentity',
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  });

  it('verifies oathtool codes for get-session-token and assume-role, refusing replays, foreign devices and missing codes', async () => {
    const firstCode = nextCode('bob');
    const first = await aws(KEYS.bob, [
      'sts',
      'get-session-token',
      '--serial-number',
      SERIALS.bob,
      '--token-code',
      firstCode,
      '--duration-seconds',
      '900',
    ]);
    expect(first.ok && first.json.Credentials.AccessKeyId).toMatch(/^ASIA/);

    // One step later: the first code is still inside the skew window, but already used.
    const bobCode = nextCode('bob');
    const aliceCode = oathtoolCode(SEEDS.alice, emulator.now());
    const assumeAdmin = ['sts', 'assume-role', '--role-arn', ROLE_ARNS.mfaAdmin, '--role-session-name', 'cli-session'];
    const [replay, foreignDevice, adminWithoutCode, adminWithCode] = await Promise.all([
      aws(KEYS.bob, ['sts', 'get-session-token', '--serial-number', SERIALS.bob, '--token-code', firstCode]),
      // A valid code of Alice's device, but Bob signs the request.
      aws(KEYS.bob, ['sts', 'get-session-token', '--serial-number', SERIALS.alice, '--token-code', aliceCode]),
      aws(KEYS.bob, assumeAdmin),
      aws(KEYS.bob, [...assumeAdmin, '--serial-number', SERIALS.bob, '--token-code', bobCode]),
    ]);
    expectCliError(
      replay,
      'GetSessionToken',
      'AccessDenied',
      'MultiFactorAuthentication failed with invalid MFA one time pass code. ',
    );
    expectCliError(
      foreignDevice,
      'GetSessionToken',
      'AccessDenied',
      'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.',
    );
    expectCliError(
      adminWithoutCode,
      'AssumeRole',
      'AccessDenied',
      `User: arn:aws:iam::${ACCOUNT}:user/bob is not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARNS.mfaAdmin}`,
    );
    expect(adminWithCode.ok && adminWithCode.json.AssumedRoleUser.Arn).toBe(
      `arn:aws:sts::${ACCOUNT}:assumed-role/MfaAdmin/cli-session`,
    );
    const who = await aws(sessionOf(adminWithCode), ['sts', 'get-caller-identity']);
    expect(who).toEqual({
      ok: true,
      json: {
        UserId: expect.stringMatching(/^AROA[A-Z2-7]{17}:cli-session$/),
        Account: ACCOUNT,
        Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/MfaAdmin/cli-session`,
      },
    });
  });
});

describe('boto3', () => {
  it('signs form bodies with + for spaces and a charset, and the emulator verifies them', async () => {
    const script = `
import boto3, json, sys
c = boto3.client('sts', endpoint_url=sys.argv[1], region_name='us-west-2',
                 aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3])
policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:List*", "Resource": "*"}]})
r = c.assume_role(RoleArn=sys.argv[4], RoleSessionName='boto3 session'.replace(' ', '-'), Policy=policy,
                  Tags=[{"Key": "cost center", "Value": "a b"}])
s = boto3.client('sts', endpoint_url=sys.argv[1], region_name='us-west-2',
                 aws_access_key_id=r['Credentials']['AccessKeyId'],
                 aws_secret_access_key=r['Credentials']['SecretAccessKey'],
                 aws_session_token=r['Credentials']['SessionToken'])
print(json.dumps({"arn": s.get_caller_identity()["Arn"], "packed": r["PackedPolicySize"]}))
`;
    const { stdout } = await run(
      PYTHON,
      ['-c', script, emulator.url, KEYS.bob.accessKeyId, KEYS.bob.secretAccessKey, ROLE_ARNS.open],
      {
        env: isolatedEnv(KEYS.bob),
      },
    );
    expect(JSON.parse(stdout)).toEqual({
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Open/boto3-session`,
      packed: expect.any(Number),
    });
  });
});
