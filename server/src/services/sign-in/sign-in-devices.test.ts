import { describe, expect, it } from 'vitest';
import { AwsCallError } from '../../aws/aws-errors.ts';
import type { TemporaryCredentials } from '../../aws/aws-gateway.ts';
import type { UserKey } from '../custody/custody-service.ts';
import { type AdmittedAttempt, createSignInService, type SignInServiceDeps } from './sign-in-service.ts';

// Which devices the portal asks AWS about for one code: the enrolled one, then the user's other
// TOTP devices (never a FIDO key, which STS cannot check a code against), unless pinned.

const ENROLLED = 'arn:aws:iam::111111111111:mfa/alice';
const PHONE = 'arn:aws:iam::111111111111:mfa/alice-phone';
const FIDO = 'arn:aws:iam::111111111111:u2f/user/alice/yubikey-ABCD';

const credentials: TemporaryCredentials = {
  accessKeyId: 'ASIAEXAMPLE0000000001',
  secretAccessKey: 'secret',
  sessionToken: 'token',
  expiration: new Date('2030-01-01T00:00:00Z'),
};

function setUp(options: { accepts: string | null; pinned?: boolean; listFails?: boolean }) {
  const asked: string[] = [];
  const refunds: unknown[] = [];
  const aws = {
    async getSessionToken(_key: unknown, input: { serialNumber?: string }) {
      asked.push(input.serialNumber ?? '');
      if (input.serialNumber === options.accepts) return credentials;
      throw new AwsCallError(
        'invalid_mfa_code',
        'AccessDenied',
        'GetSessionToken',
        'MultiFactorAuthentication failed with invalid MFA one time pass code.',
      );
    },
    async assumeRole(): Promise<never> {
      throw new Error('not used');
    },
    async listMfaDevices() {
      if (options.listFails) throw new Error('IAM is down');
      return [ENROLLED, FIDO, PHONE].map((serialNumber) => ({ serialNumber, enabledAt: undefined }));
    },
  } as unknown as SignInServiceDeps['aws'];
  const service = createSignInService({
    aws,
    limiter: { refund: async (r: unknown) => void refunds.push(r) } as unknown as SignInServiceDeps['limiter'],
    failureFloorMs: 0,
  } as unknown as SignInServiceDeps);
  const user = {
    userName: 'alice',
    mfaSerial: ENROLLED,
    mfaSerialPinned: options.pinned ?? false,
    key: { accessKeyId: 'AKIA', secretAccessKey: 's' },
  } as UserKey;
  const attempt: AdmittedAttempt = { user, code: '123456', reservation: { slots: [] }, startedAt: Date.now() };
  return { service, attempt, asked, refunds };
}

describe('verifying a code against several MFA devices', () => {
  it('tries the enrolled device first, then the other TOTP devices, never a FIDO key', async () => {
    const { service, attempt, asked, refunds } = setUp({ accepts: PHONE });
    const result = await service.verifyBySessionToken(attempt, 900);
    expect(result.verified?.user.mfaSerial).toBe(PHONE);
    expect(asked).toEqual([ENROLLED, PHONE]);
    expect(refunds).toHaveLength(1); // an accepted code gives its attempt back
  });

  it('asks nothing more once the enrolled device accepts', async () => {
    const { service, attempt, asked } = setUp({ accepts: ENROLLED });
    expect((await service.verifyBySessionToken(attempt, 900)).verified?.user.mfaSerial).toBe(ENROLLED);
    expect(asked).toEqual([ENROLLED]);
  });

  it('answers a code no device takes as one wrong code, keeping the one attempt spent', async () => {
    const { service, attempt, asked, refunds } = setUp({ accepts: null });
    const result = await service.verifyBySessionToken(attempt, 900);
    expect(result.rejected?.error.code).toBe('invalid_mfa_code');
    expect(asked).toEqual([ENROLLED, PHONE]);
    expect(refunds).toHaveLength(0);
  });

  it('asks only the pinned device', async () => {
    const { service, attempt, asked } = setUp({ accepts: PHONE, pinned: true });
    expect((await service.verifyBySessionToken(attempt, 900)).rejected?.error.code).toBe('invalid_mfa_code');
    expect(asked).toEqual([ENROLLED]);
  });

  it('falls back to the enrolled device alone when IAM cannot list devices', async () => {
    const { service, attempt, asked } = setUp({ accepts: PHONE, listFails: true });
    expect((await service.verifyBySessionToken(attempt, 900)).rejected?.error.code).toBe('invalid_mfa_code');
    expect(asked).toEqual([ENROLLED]);
  });
});
