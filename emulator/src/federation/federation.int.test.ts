import { AssumeRoleCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Credentials,
  oathtoolCode,
  sessionCredentials,
  startTestEmulator,
  stsClient,
  type TestEmulator,
} from '../../test/emulator-harness.ts';
import { ACCOUNT, KEYS, ROLE_ARNS, SEEDS, SERIALS } from '../../test/fixture-state.ts';

// The sign-in federation endpoint, driven over HTTP as the portal and a browser drive it.
let emulator: TestEmulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(() => emulator.close());

const DESTINATION = 'https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1';

function nextCode(user: keyof typeof SEEDS): string {
  emulator.advance(30);
  return oathtoolCode(SEEDS[user], emulator.now());
}

/** bob's MfaAdmin session straight from his key and a code (no chaining). */
async function directRoleSession(durationSeconds = 3600): Promise<Credentials> {
  const out = await stsClient(emulator, KEYS.bob).send(
    new AssumeRoleCommand({
      RoleArn: ROLE_ARNS.mfaAdmin,
      RoleSessionName: 'bob',
      SerialNumber: SERIALS.bob,
      TokenCode: nextCode('bob'),
      DurationSeconds: durationSeconds,
    }),
  );
  return sessionCredentials(out.Credentials);
}

async function mfaSession(): Promise<Credentials> {
  const out = await stsClient(emulator, KEYS.bob).send(
    new GetSessionTokenCommand({ SerialNumber: SERIALS.bob, TokenCode: nextCode('bob') }),
  );
  return sessionCredentials(out.Credentials);
}

const sessionParam = (c: Credentials) =>
  JSON.stringify({ sessionId: c.accessKeyId, sessionKey: c.secretAccessKey, sessionToken: c.sessionToken });

async function getSigninToken(credentials: Credentials, extra: Record<string, string> = {}) {
  const query = new URLSearchParams({ Action: 'getSigninToken', Session: sessionParam(credentials), ...extra });
  const response = await fetch(`${emulator.url}/federation?${query}`);
  return { status: response.status, text: await response.text() };
}

async function login(token: string, destination = DESTINATION) {
  const query = new URLSearchParams({
    Action: 'login',
    Issuer: 'https://portal.example.com',
    Destination: destination,
    SigninToken: token,
  });
  const response = await fetch(`${emulator.url}/federation?${query}`);
  return { status: response.status, text: await response.text() };
}

const tokenOf = (text: string) => (JSON.parse(text) as { SigninToken: string }).SigninToken;

describe('federation endpoint', () => {
  it('turns role credentials into a console page showing the identity, session end and destination', async () => {
    const credentials = await directRoleSession(7200);
    const issued = await getSigninToken(credentials, { SessionDuration: '7200' });
    expect(issued.status, issued.text).toBe(200);
    const before = emulator.now().getTime();
    const page = await login(tokenOf(issued.text));
    expect(page.status).toBe(200);
    expect(page.text).toContain(`arn:aws:sts::${ACCOUNT}:assumed-role/MfaAdmin/bob`);
    expect(page.text).toContain('data-testid="region">eu-west-1<');
    expect(page.text).toContain(DESTINATION.replace(/&/g, '&amp;'));
    const end = emulator.consoleSignIns().at(-1)!.consoleEndsAt.getTime();
    expect(Math.abs(end - (before + 7200_000))).toBeLessThan(5000);
  });

  it('redeems a token once, and not after 15 minutes', async () => {
    const credentials = await directRoleSession();
    const token = tokenOf((await getSigninToken(credentials)).text);
    expect((await login(token)).status).toBe(200);
    expect((await login(token)).status).toBe(403);

    const late = tokenOf((await getSigninToken(credentials)).text);
    emulator.advance(15 * 60 + 1);
    expect((await login(late)).status).toBe(403);
  });

  it('answers two parallel redemptions of one token with exactly one console page', async () => {
    const token = tokenOf((await getSigninToken(await directRoleSession())).text);
    const answers = await Promise.all([login(token), login(token), login(token)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 403, 403]);
  });

  it('refuses GetSessionToken credentials, long-term keys, wrong secrets and expired sessions', async () => {
    expect((await getSigninToken(await mfaSession())).status).toBe(403);
    expect((await getSigninToken({ ...KEYS.bob, sessionToken: 'x' })).status).toBe(403);
    const credentials = await directRoleSession(900);
    expect((await getSigninToken({ ...credentials, secretAccessKey: `${credentials.secretAccessKey}x` })).status).toBe(
      403,
    );
    expect((await getSigninToken({ ...credentials, sessionToken: 'forged' })).status).toBe(403);
    emulator.advance(901);
    const expired = await getSigninToken(credentials);
    expect(expired).toMatchObject({ status: 403, text: expect.stringContaining('expired') });
  });

  it('caps console sessions of chained role credentials at one hour', async () => {
    const chained = sessionCredentials(
      (
        await stsClient(emulator, await mfaSession()).send(
          new AssumeRoleCommand({ RoleArn: ROLE_ARNS.mfaAdmin, RoleSessionName: 'bob' }),
        )
      ).Credentials,
    );
    expect((await getSigninToken(chained, { SessionDuration: '3601' })).status).toBe(400);
    expect((await getSigninToken(chained, { SessionDuration: '3600' })).status).toBe(200);
  });

  it('rejects malformed requests and destinations outside the AWS console', async () => {
    const credentials = await directRoleSession();
    expect((await getSigninToken(credentials, { SessionDuration: '899' })).status).toBe(400);
    expect((await getSigninToken(credentials, { SessionDuration: '43201' })).status).toBe(400);
    const bad = await fetch(`${emulator.url}/federation?Action=getSigninToken&Session=%7Bnope`);
    expect(bad.status).toBe(400);
    expect((await fetch(`${emulator.url}/federation?Action=other`)).status).toBe(400);
    const token = tokenOf((await getSigninToken(credentials)).text);
    expect((await login(token, 'https://evil.example.com/console')).status).toBe(400);
    expect((await login(token, 'http://console.aws.amazon.com/')).status).toBe(400);
    // The refused destination did not spend the token.
    expect((await login(token, 'https://console.amazonaws-us-gov.com/console/home')).status).toBe(200);
  });

  it('takes the parameters as a POST form body too, and escapes what it shows', async () => {
    const credentials = await directRoleSession();
    const body = new URLSearchParams({ Action: 'getSigninToken', Session: sessionParam(credentials) });
    const response = await fetch(`${emulator.url}/federation`, { method: 'POST', body });
    expect(response.status).toBe(200);
    const page = await login(
      tokenOf(await response.text()),
      'https://console.aws.amazon.com/console/home?region=<script>',
    );
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('<script>');
  });
});
