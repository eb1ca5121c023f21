import { readFileSync } from 'node:fs';

/**
 * The demo's people, read from the emulator's demo state so the tests compute the same TOTP codes
 * the users' authenticator apps would show.
 */
interface DemoState {
  users: Array<{ name: string; account: string; mfaDevices?: Array<{ serial: string; seed: string }> }>;
}

const state = JSON.parse(readFileSync(new URL('../../emulator/demo-state.json', import.meta.url), 'utf8')) as DemoState;

export interface DemoUser {
  userName: string;
  accountId: string;
  seed: string;
}

export function demoUser(userName: string): DemoUser {
  const user = state.users.find((u) => u.name === userName);
  const seed = user?.mfaDevices?.[0]?.seed;
  if (user === undefined || seed === undefined)
    throw new Error(`The demo state has no user ${userName} with an MFA device`);
  return { userName, accountId: user.account, seed };
}
