import { GetUserCommand } from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  GetSessionTokenCommand,
  type GetSessionTokenCommandInput,
  type STSClient,
} from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Credentials,
  failureOf,
  iamClient,
  oathtoolCode,
  sessionCredentials,
  startTestEmulator,
  stsClient,
  type TestEmulator,
} from '../../test/emulator-harness.ts';
import { ACCOUNT, EXTERNAL_ID, KEYS, PARTNER_ACCOUNT, ROLE_ARNS, SEEDS, SERIALS } from '../../test/fixture-state.ts';

// Driven by the unmodified AWS SDK for JavaScript v3, with codes from Debian's oathtool.
let emulator: TestEmulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(() => emulator.close());

const sts = (credentials: Credentials): STSClient => stsClient(emulator, credentials);

/** Moves to a fresh TOTP step (each code is accepted once) and reads the device's code there. */
function nextCode(user: keyof typeof SEEDS): string {
  emulator.advance(30);
  return oathtoolCode(SEEDS[user], emulator.now());
}

async function mfaSession(user: 'alice' | 'bob'): Promise<Credentials> {
  const out = await sts(KEYS[user]).send(
    new GetSessionTokenCommand({ SerialNumber: SERIALS[user], TokenCode: nextCode(user) }),
  );
  return sessionCredentials(out.Credentials);
}

const notAuthorized = (caller: string, roleArn: string) => ({
  name: 'AccessDenied',
  status: 403,
  message: `User: ${caller} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
});
const BAD_CODE = {
  name: 'AccessDenied',
  status: 403,
  message: 'MultiFactorAuthentication failed with invalid MFA one time pass code. ',
};
const NOT_OWN_DEVICE = {
  name: 'AccessDenied',
  status: 403,
  message:
    'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.',
};

describe('GetCallerIdentity', () => {
  it('names the IAM user of long-term keys and of their GetSessionToken sessions', async () => {
    const direct = await sts(KEYS.carol).send(new GetCallerIdentityCommand({}));
    expect(direct).toMatchObject({
      Account: ACCOUNT,
      Arn: `arn:aws:iam::${ACCOUNT}:user/engineering/carol`,
      UserId: expect.stringMatching(/^AIDA/),
    });
    const session = await sts(KEYS.carol).send(new GetSessionTokenCommand({}));
    const viaSession = await sts(sessionCredentials(session.Credentials)).send(new GetCallerIdentityCommand({}));
    expect(viaSession).toMatchObject({ Arn: direct.Arn, UserId: direct.UserId });
  });

  it('needs no permission, even under the force-MFA deny', async () => {
    await expect(sts(KEYS.alice).send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({
      Arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
    });
  });
});

describe('GetSessionToken with MFA', () => {
  it('accepts the right code once and refuses its replay', async () => {
    const code = nextCode('bob');
    const out = await sts(KEYS.bob).send(
      new GetSessionTokenCommand({ SerialNumber: SERIALS.bob, TokenCode: code, DurationSeconds: 3600 }),
    );
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(out.Credentials?.SecretAccessKey).toHaveLength(40);
    expect(out.Credentials!.Expiration!.getTime() - emulator.now().getTime()).toBeGreaterThan(3590_000);
    expect(
      await failureOf(sts(KEYS.bob).send(new GetSessionTokenCommand({ SerialNumber: SERIALS.bob, TokenCode: code }))),
    ).toEqual(BAD_CODE);
  });

  it("refuses a wrong code and another user's device with AWS messages", async () => {
    const wrong = String((Number(nextCode('bob')) + 1) % 1_000_000).padStart(6, '0');
    expect(
      await failureOf(sts(KEYS.bob).send(new GetSessionTokenCommand({ SerialNumber: SERIALS.bob, TokenCode: wrong }))),
    ).toEqual(BAD_CODE);
    // Alice holds a valid code of Bob's device, but signs with her own keys.
    expect(
      await failureOf(
        sts(KEYS.alice).send(new GetSessionTokenCommand({ SerialNumber: SERIALS.bob, TokenCode: nextCode('bob') })),
      ),
    ).toEqual(NOT_OWN_DEVICE);
  });

  it('accepts a hardware device of the caller', async () => {
    const out = await sts(KEYS.carol).send(
      new GetSessionTokenCommand({ SerialNumber: SERIALS.carol, TokenCode: nextCode('carol') }),
    );
    expect(out.Credentials?.SessionToken?.length).toBeGreaterThan(100);
  });

  it('validates its parameters like AWS', async () => {
    const call = (input: GetSessionTokenCommandInput) =>
      failureOf(sts(KEYS.bob).send(new GetSessionTokenCommand(input)));
    expect(await call({ DurationSeconds: 899 })).toMatchObject({
      name: 'ValidationError',
      status: 400,
      message:
        "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    });
    expect((await call({ DurationSeconds: 129_601 })).message).toContain(
      'Member must have value less than or equal to 129600',
    );
    expect((await call({ SerialNumber: SERIALS.bob, TokenCode: '12a45' })).message).toBe(
      "2 validation errors detected: Value '12a45' at 'tokenCode' failed to satisfy constraint: Member must have length greater than or equal to 6; " +
        "Value '12a45' at 'tokenCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]*",
    );
    expect((await call({ SerialNumber: 'short', TokenCode: '123456' })).message).toContain(
      "at 'serialNumber' failed to satisfy constraint: Member must have length greater than or equal to 9",
    );
    expect(await call({ TokenCode: '123456' })).toMatchObject({
      name: 'ValidationError',
      message: 'SerialNumber is required when TokenCode is specified',
    });
  });

  it('cannot be called with session credentials', async () => {
    const session = await mfaSession('bob');
    expect(await failureOf(sts(session).send(new GetSessionTokenCommand({})))).toEqual({
      name: 'AccessDenied',
      status: 403,
      message: 'Cannot call GetSessionToken with session credentials',
    });
    const role = await sts(session).send(new AssumeRoleCommand({ RoleArn: ROLE_ARNS.open, RoleSessionName: 'rr' }));
    expect(
      (await failureOf(sts(sessionCredentials(role.Credentials)).send(new GetSessionTokenCommand({})))).message,
    ).toBe('Cannot call GetSessionToken with session credentials');
  });
});

describe('force-MFA identity policy (Deny NotAction ... BoolIfExists aws:MultiFactorAuthPresent false)', () => {
  it('blocks long-term keys', async () => {
    expect(
      await failureOf(
        sts(KEYS.alice).send(new AssumeRoleCommand({ RoleArn: ROLE_ARNS.open, RoleSessionName: 'no-mfa' })),
      ),
    ).toEqual(notAuthorized(`arn:aws:iam::${ACCOUNT}:user/alice`, ROLE_ARNS.open));
  });

  it('blocks a session created without MFA and allows the MFA session', async () => {
    const plain = sessionCredentials((await sts(KEYS.alice).send(new GetSessionTokenCommand({}))).Credentials);
    expect(
      (await failureOf(sts(plain).send(new AssumeRoleCommand({ RoleArn: ROLE_ARNS.open, RoleSessionName: 'plain' }))))
        .name,
    ).toBe('AccessDenied');
    const withMfa = await mfaSession('alice');
    const out = await sts(withMfa).send(
      new AssumeRoleCommand({ RoleArn: ROLE_ARNS.open, RoleSessionName: 'alice-ok' }),
    );
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/Open/alice-ok`);
  });

  it('gates IAM calls of GetSessionToken sessions on MFA', async () => {
    const plain = sessionCredentials((await sts(KEYS.bob).send(new GetSessionTokenCommand({}))).Credentials);
    expect((await failureOf(iamClient(emulator, plain).send(new GetUserCommand({})))).name).toBe('AccessDenied');
    const out = await iamClient(emulator, await mfaSession('bob')).send(new GetUserCommand({}));
    expect(out.User?.UserName).toBe('bob');
  });
});

describe('AssumeRole', () => {
  it('returns AWS-shaped credentials and identity, and the session identifies as the role', async () => {
    const out = await sts(KEYS.bob).send(
      new AssumeRoleCommand({
        RoleArn: ROLE_ARNS.mfaAdmin,
        RoleSessionName: 'bob@example.com',
        SerialNumber: SERIALS.bob,
        TokenCode: nextCode('bob'),
        DurationSeconds: 43200,
        SourceIdentity: 'bob',
        Tags: [{ Key: 'team', Value: 'platform' }],
        TransitiveTagKeys: ['team'],
        Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
        PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
      }),
    );
    expect(out.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z2-7]{17}:bob@example\.com$/);
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/MfaAdmin/bob@example.com`);
    expect(out.SourceIdentity).toBe('bob');
    expect(out.PackedPolicySize).toBeGreaterThan(0);
    expect(out.Credentials!.Expiration!.getTime() - emulator.now().getTime()).toBeGreaterThan(43190_000);
    const who = await sts(sessionCredentials(out.Credentials)).send(new GetCallerIdentityCommand({}));
    expect(who).toMatchObject({
      Arn: out.AssumedRoleUser?.Arn,
      UserId: out.AssumedRoleUser?.AssumedRoleId,
      Account: ACCOUNT,
    });
  });

  it('enforces a trust policy requiring MFA and carries MFA through sessions', async () => {
    expect(
      await failureOf(
        sts(KEYS.bob).send(new AssumeRoleCommand({ RoleArn: ROLE_ARNS.mfaAdmin, RoleSessionName: 'sess' })),
      ),
    ).toEqual(notAuthorized(`arn:aws:iam::${ACCOUNT}:user/bob`, ROLE_ARNS.mfaAdmin));
    const session = await mfaSession('bob');
    const admin = await sts(session).send(
      new AssumeRoleCommand({ RoleArn: ROLE_ARNS.mfaAdmin, RoleSessionName: 'admin' }),
    );
    // The role session keeps the MFA time of the session it came from.
    const parent = emulator.store.sessions.get(session.accessKeyId)!.caller;
    const child = emulator.store.sessions.get(admin.Credentials!.AccessKeyId!)!.caller;
    expect(
      child.kind === 'role-session' &&
        parent.kind === 'user-session' &&
        child.mfaAuthenticatedAt?.getTime() === parent.mfaAuthenticatedAt?.getTime(),
    ).toBe(true);
    // ... so the admin session may chain into another MFA-protected role.
    await expect(
      sts(sessionCredentials(admin.Credentials)).send(
        new AssumeRoleCommand({ RoleArn: ROLE_ARNS.mfaAdmin, RoleSessionName: 'again' }),
      ),
    ).resolves.toBeDefined();
  });

  it("refuses a code of another user's device, a wrong code and a replay", async () => {
    const call = (serial: string, code: string) =>
      failureOf(
        sts(KEYS.bob).send(
          new AssumeRoleCommand({
            RoleArn: ROLE_ARNS.mfaAdmin,
            RoleSessionName: 'sess',
            SerialNumber: serial,
            TokenCode: code,
          }),
        ),
      );
    expect(await call(SERIALS.alice, nextCode('alice'))).toEqual(NOT_OWN_DEVICE);
    const code = nextCode('bob');
    expect(await call(SERIALS.bob, code === '000000' ? '000001' : '000000')).toEqual(BAD_CODE);
    expect((await call(SERIALS.bob, code)).name).toBe('no error');
    expect(await call(SERIALS.bob, code)).toEqual(BAD_CODE);
  });

  it('honours NumericLessThan aws:MultiFactorAuthAge 3600 in a trust policy', async () => {
    const session = await mfaSession('bob');
    await expect(
      sts(session).send(new AssumeRoleCommand({ RoleArn: ROLE_ARNS.recentMfa, RoleSessionName: 'fresh' })),
    ).resolves.toBeDefined();
    expect(
      (
        await failureOf(
          sts(KEYS.bob).send(new AssumeRoleCommand({ RoleArn: ROLE_ARNS.recentMfa, RoleSessionName: 'no-mfa' })),
        )
      ).name,
    ).toBe('AccessDenied');
    emulator.advance(3601);
    expect(
      await failureOf(
        sts(session).send(new AssumeRoleCommand({ RoleArn: ROLE_ARNS.recentMfa, RoleSessionName: 'stale' })),
      ),
    ).toEqual(notAuthorized(`arn:aws:iam::${ACCOUNT}:user/bob`, ROLE_ARNS.recentMfa));
  });

  it('assumes a cross-account role only with the right ExternalId', async () => {
    const call = (externalId?: string) =>
      sts(KEYS.bob).send(
        new AssumeRoleCommand({
          RoleArn: ROLE_ARNS.partner,
          RoleSessionName: 'audit',
          ...(externalId ? { ExternalId: externalId } : {}),
        }),
      );
    const denied = notAuthorized(`arn:aws:iam::${ACCOUNT}:user/bob`, ROLE_ARNS.partner);
    expect(await failureOf(call())).toEqual(denied);
    expect(await failureOf(call('partner-ext-0000'))).toEqual(denied);
    const out = await call(EXTERNAL_ID);
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${PARTNER_ACCOUNT}:assumed-role/PartnerAudit/audit`);
    expect((await sts(sessionCredentials(out.Credentials)).send(new GetCallerIdentityCommand({}))).Account).toBe(
      PARTNER_ACCOUNT,
    );
  });

  it('needs an identity policy allowing sts:AssumeRole and does not reveal missing roles', async () => {
    // erin is in no group: her policies allow nothing, although the Open role trusts her account.
    expect(
      await failureOf(sts(KEYS.erin).send(new AssumeRoleCommand({ RoleArn: ROLE_ARNS.open, RoleSessionName: 'sess' }))),
    ).toEqual(notAuthorized(`arn:aws:iam::${ACCOUNT}:user/erin`, ROLE_ARNS.open));
    const missing = `arn:aws:iam::${ACCOUNT}:role/DoesNotExist`;
    expect(
      await failureOf(sts(KEYS.bob).send(new AssumeRoleCommand({ RoleArn: missing, RoleSessionName: 'sess' }))),
    ).toEqual(notAuthorized(`arn:aws:iam::${ACCOUNT}:user/bob`, missing));
  });

  it('applies duration limits: bounds, MaxSessionDuration and the role-chaining hour', async () => {
    const call = (credentials: Credentials, duration: number) =>
      failureOf(
        sts(credentials).send(
          new AssumeRoleCommand({ RoleArn: ROLE_ARNS.open, RoleSessionName: 'dur', DurationSeconds: duration }),
        ),
      );
    expect((await call(KEYS.bob, 899)).message).toBe(
      "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    );
    expect(await call(KEYS.bob, 7201)).toMatchObject({
      name: 'ValidationError',
      message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    });
    expect((await call(KEYS.bob, 7200)).name).toBe('no error');
    const role = sessionCredentials(
      (await sts(KEYS.bob).send(new AssumeRoleCommand({ RoleArn: ROLE_ARNS.open, RoleSessionName: 'first' })))
        .Credentials,
    );
    const chained =
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.';
    expect(await call(role, 3601)).toMatchObject({ name: 'ValidationError', message: chained });
    expect((await call(role, 3600)).name).toBe('no error');
    const session = sessionCredentials((await sts(KEYS.bob).send(new GetSessionTokenCommand({}))).Credentials);
    expect(await call(session, 3601)).toMatchObject({ message: chained });
  });

  it('validates the session name', async () => {
    const out = await failureOf(
      sts(KEYS.bob).send(new AssumeRoleCommand({ RoleArn: ROLE_ARNS.open, RoleSessionName: 'bad name' })),
    );
    expect(out).toMatchObject({
      name: 'ValidationError',
      message:
        "1 validation error detected: Value 'bad name' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    });
  });
});

describe('credentials that do not verify', () => {
  it('refuses a wrong secret, unknown and inactive keys', async () => {
    expect(
      await failureOf(
        sts({ ...KEYS.bob, secretAccessKey: KEYS.alice.secretAccessKey }).send(new GetCallerIdentityCommand({})),
      ),
    ).toEqual({
      name: 'SignatureDoesNotMatch',
      status: 403,
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    });
    const invalid = {
      name: 'InvalidClientTokenId',
      status: 403,
      message: 'The security token included in the request is invalid.',
    };
    expect(
      await failureOf(
        sts({ accessKeyId: 'AKIAUNKNOWN000000001', secretAccessKey: 'x' }).send(new GetCallerIdentityCommand({})),
      ),
    ).toEqual(invalid);
    expect(await failureOf(sts(KEYS.dave).send(new GetCallerIdentityCommand({})))).toEqual(invalid);
  });

  it('requires the matching session token with temporary keys', async () => {
    const session = sessionCredentials((await sts(KEYS.carol).send(new GetSessionTokenCommand({}))).Credentials);
    const invalid = {
      name: 'InvalidClientTokenId',
      status: 403,
      message: 'The security token included in the request is invalid.',
    };
    expect(
      await failureOf(
        sts({ accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey }).send(
          new GetCallerIdentityCommand({}),
        ),
      ),
    ).toEqual(invalid);
    expect(
      await failureOf(
        sts({ ...session, sessionToken: `${session.sessionToken}x` }).send(new GetCallerIdentityCommand({})),
      ),
    ).toEqual(invalid);
  });

  it('answers ExpiredToken once a session has ended', async () => {
    const session = sessionCredentials(
      (await sts(KEYS.carol).send(new GetSessionTokenCommand({ DurationSeconds: 900 }))).Credentials,
    );
    await expect(sts(session).send(new GetCallerIdentityCommand({}))).resolves.toBeDefined();
    emulator.advance(901);
    expect(await failureOf(sts(session).send(new GetCallerIdentityCommand({})))).toEqual({
      name: 'ExpiredToken',
      status: 403,
      message: 'The security token included in the request is expired',
    });
  });
});
