import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { type RunningEmulator, startEmulator } from '../src/server.ts';
import type { StateFile } from '../src/state/state-file.ts';
import { fixtureState } from './fixture-state.ts';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * An emulator on an ephemeral port whose clock the test can move forward: each MFA use advances
 * it by one TOTP step (a code is accepted once per step), and expiry tests jump past a session's
 * end. Clients are created with the same clock offset so their signatures stay within 15 minutes.
 */
export interface TestEmulator extends RunningEmulator {
  now(): Date;
  advance(seconds: number): void;
  readonly offsetMs: number;
}

export async function startTestEmulator(state: StateFile = fixtureState()): Promise<TestEmulator> {
  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);
  const emulator = await startEmulator({ state, now });
  return {
    ...emulator,
    now,
    advance: (seconds) => {
      offsetMs += seconds * 1000;
    },
    get offsetMs() {
      return offsetMs;
    },
  };
}

const clientConfig = (emulator: TestEmulator, credentials: Credentials) => ({
  endpoint: emulator.url,
  region: 'eu-central-1',
  credentials,
  systemClockOffset: emulator.offsetMs,
  // One attempt: a retry must never turn an expected failure into a pass.
  maxAttempts: 1,
});

export const stsClient = (emulator: TestEmulator, credentials: Credentials): STSClient =>
  new STSClient(clientConfig(emulator, credentials));
export const iamClient = (emulator: TestEmulator, credentials: Credentials): IAMClient =>
  new IAMClient(clientConfig(emulator, credentials));

/** Temporary credentials in the SDK's response shape -> client credentials. */
export function sessionCredentials(
  credentials: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string } | undefined,
): Credentials {
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken)
    throw new Error('response has no credentials');
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    sessionToken: credentials.SessionToken,
  };
}

/** The error name and message an SDK call failed with, or "no error". */
export async function failureOf(call: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await call;
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  return { name: 'no error', message: '' };
}

/**
 * External tools the integration tests rely on (CI installs them). Missing tools fail the test
 * with instructions instead of skipping it, so a green run always means they were exercised.
 */
export function requireTool(path: string, debianPackage: string): string {
  if (!existsSync(path))
    throw new Error(
      `${path} is missing: install the Debian package "${debianPackage}" (apt-get install -y ${debianPackage})`,
    );
  return path;
}

/** A code from Debian's oathtool, an implementation independent of the emulator's. */
export function oathtoolCode(seed: string, at: Date): string {
  const oathtool = requireTool('/usr/bin/oathtool', 'oathtool');
  return execFileSync(oathtool, ['--totp', '-b', '-N', `@${Math.floor(at.getTime() / 1000)}`, seed], {
    encoding: 'utf8',
  }).trim();
}
