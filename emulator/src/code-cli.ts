import { resolve } from 'node:path';
import { DEMO_STATE_PATH, parseCliArgs, runCli, UsageError } from './cli-args.ts';
import { loadStateFile } from './state/load-state.ts';
import { currentCode } from './totp.ts';

const USAGE = `Usage: npm run -s emulator:code -- --user <name> [--account <id>] [--serial <serial>] [--state <state.json>]

Prints the current TOTP code of the user's MFA device, as their authenticator app would show it.
  --state    state file (default: emulator/demo-state.json)
  --account  the user's account id, when several accounts have a user of that name
  --serial   the device, when the user has more than one`;

async function main(): Promise<void> {
  const args = parseCliArgs(process.argv.slice(2), {
    state: { type: 'string' },
    user: { type: 'string' },
    account: { type: 'string' },
    serial: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!args.user) throw new UsageError('--user is required');
  const state = await loadStateFile(resolve(args.state ?? DEMO_STATE_PATH));

  const wanted = args.user.toLowerCase();
  const users = state.users.filter(
    (u) => u.name.toLowerCase() === wanted && (args.account === undefined || u.account === args.account),
  );
  if (users.length === 0)
    throw new UsageError(
      `No user "${args.user}"${args.account ? ` in account ${args.account}` : ''} in the state file`,
    );
  if (users.length > 1) {
    throw new UsageError(`"${args.user}" exists in accounts ${users.map((u) => u.account).join(', ')}: pass --account`);
  }
  const devices = users[0]!.mfaDevices ?? [];
  const device = args.serial === undefined ? devices[0] : devices.find((d) => d.serial === args.serial);
  if (!device) {
    throw new UsageError(
      devices.length === 0
        ? `User "${args.user}" has no MFA device`
        : `User "${args.user}" has no device "${args.serial}" (devices: ${devices.map((d) => d.serial).join(', ')})`,
    );
  }
  if (args.serial === undefined && devices.length > 1) {
    throw new UsageError(
      `User "${args.user}" has ${devices.length} MFA devices: pass --serial (${devices.map((d) => d.serial).join(', ')})`,
    );
  }
  if (device.type === 'fido') throw new UsageError(`${device.serial} is a FIDO security key: it shows no codes`);
  process.stdout.write(`${currentCode(device.seed, new Date())}\n`);
}

runCli(USAGE, main);
