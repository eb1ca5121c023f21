import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from 'otplib';
import { secretLedgerFromEnv } from '../../emulator/src/secret-ledger.ts';
import type { DemoUser } from './demo-users.ts';

/**
 * TOTP codes for the demo users. AWS (and the emulator) accept the codes of the previous,
 * current and next 30-second step, but never a step at or before one already accepted for that
 * device. So each call hands out a strictly later step: the current one, or the next one, or it
 * waits until a later step comes within reach. Steps handed out are remembered in a file, so a
 * restarted test worker in the same run does not replay one.
 */

const STEP_SECONDS = 30;

const ledgerFile = path.join(tmpdir(), `portal-e2e-totp-${process.env.E2E_PORT ?? '3917'}.json`);

function readLedger(): Record<string, number> {
  try {
    return JSON.parse(readFileSync(ledgerFile, 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

function writeLedger(ledger: Record<string, number>): void {
  mkdirSync(path.dirname(ledgerFile), { recursive: true });
  writeFileSync(ledgerFile, JSON.stringify(ledger));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A code AWS will accept for this user right now, never one handed out before. */
export async function freshCode(user: DemoUser): Promise<string> {
  const ledger = readLedger();
  const lastStep = ledger[user.seed] ?? -1;
  for (;;) {
    const nowSeconds = Date.now() / 1000;
    // Whether the request lands in this step or just after the boundary, the server accepts
    // `current` and `current + 1`.
    const current = Math.floor(nowSeconds / STEP_SECONDS);
    const candidate = Math.max(current, lastStep + 1);
    if (candidate <= current + 1) {
      ledger[user.seed] = candidate;
      writeLedger(ledger);
      const code = await generate({ secret: user.seed, epoch: candidate * STEP_SECONDS });
      // For the run's secrets sweep (npm test): no code may appear in a log.
      secretLedgerFromEnv()?.record('mfa_code', code);
      return code;
    }
    // Both reachable steps are used: wait for the next step boundary.
    await sleep(((current + 1) * STEP_SECONDS - nowSeconds) * 1000 + 200);
  }
}

/** A well-formed code that is not valid for any step AWS would accept now. */
export async function wrongCode(user: DemoUser): Promise<string> {
  const nowStep = Math.floor(Date.now() / 1000 / STEP_SECONDS);
  const valid = new Set(
    await Promise.all(
      [-1, 0, 1, 2].map((offset) => generate({ secret: user.seed, epoch: (nowStep + offset) * STEP_SECONDS })),
    ),
  );
  for (let guess = 123456; ; guess += 111111) {
    const code = String(guess % 1_000_000).padStart(6, '0');
    if (!valid.has(code)) return code;
  }
}

/** Separates a code the way people paste it from some apps ("123 456"). */
export const withSpace = (code: string) => `${code.slice(0, 3)} ${code.slice(3)}`;
