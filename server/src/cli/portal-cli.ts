import { parseArgs } from 'node:util';
import { AwsCallError } from '../aws/aws-errors.ts';
import { ConfigError } from '../config/config.ts';
import { AppError } from '../errors/app-error.ts';
import { CheckpointError } from '../services/audit/audit-checkpoint.ts';
import { createKeyRing, generateMasterKey, parseMasterKey, SecretBoxError } from '../services/custody/secret-box.ts';
import { openPortalContext, type PortalContext } from './portal-context.ts';
import { runOffboard, runRevocations, runRevoke } from './revocation-commands.ts';

const USAGE = `Usage: npm run portal -- <command> [options]

Custody of users' keys
  enroll <user> [--mfa-serial <arn>] [--import]   create (or, with --import, read "ACCESS_KEY_ID SECRET" from stdin) and hold a key for <user>;
                                                  any of their TOTP devices signs them in, unless --mfa-serial pins one
  unenroll <user>                                 delete the user's key in IAM and in the portal, end their sessions and tokens
  enrolled                                        list enrolled users
  rotate-keys [--older-than-days <n>]             replace keys older than n days (default 90)
  generate-master-key                             print a new random master key
  rotate-master-key                               read a new master key from stdin and re-encrypt everything under it

Revocation and offboarding
  revoke <user>                                   deny every AWS credential the user holds from before now (every catalog role, their MFA sessions); end their portal sessions
  offboard <user> [--deactivate-other-keys] [--deactivate-mfa-devices]
                                                  end portal sessions, revoke AWS sessions, delete the portal-held key (resumes an unfinished run)
  revocations [apply]                             list revoked users and unfinished offboardings; apply: write the policies to AWS again

Role catalog
  role add <alias> <roleArn> [--groups a,b] [--users x,y|'*'] [--max-duration <s>] [--external-id <v>] [--description <text>]
  role list
  role remove <alias>

Audit
  audit verify [--checkpoint <line>]              check the audit log's keyed hash chain (and that it still holds a checkpoint)
  audit checkpoint                                print a signed checkpoint of the chain's head, to keep outside the database

Settings come from the same environment as the server (see .env.example).`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'mfa-serial': { type: 'string' },
      import: { type: 'boolean' },
      'older-than-days': { type: 'string' },
      groups: { type: 'string' },
      users: { type: 'string' },
      'max-duration': { type: 'string' },
      'external-id': { type: 'string' },
      description: { type: 'string' },
      checkpoint: { type: 'string' },
      'deactivate-other-keys': { type: 'boolean' },
      'deactivate-mfa-devices': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (!command || values.help) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  if (command === 'generate-master-key') {
    console.log(generateMasterKey());
    return 0;
  }

  const ctx = await openPortalContext();
  try {
    return await run(ctx, command, rest, values);
  } finally {
    await ctx.close();
  }
}

async function run(
  ctx: PortalContext,
  command: string,
  args: string[],
  values: Record<string, string | boolean | undefined>,
): Promise<number> {
  const { custody } = ctx.services;
  const str = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const list = (name: string) =>
    str(name)
      ?.split(',')
      .map((v) => v.trim())
      .filter(Boolean);

  switch (command) {
    case 'enroll': {
      const userName = requireArg(args[0], 'enroll <user>');
      const importedKey = values.import ? parseImportedKey(await readStdin()) : undefined;
      const enrolled = await custody.enroll(userName, {
        ...(str('mfa-serial') ? { mfaSerial: str('mfa-serial') } : {}),
        ...(importedKey ? { importedKey } : {}),
      });
      console.log(
        `enrolled ${enrolled.userName} (${enrolled.userArn}) with key ${enrolled.accessKeyId}, MFA device ${enrolled.mfaSerial}${enrolled.mfaSerialPinned ? ' (pinned: the only one accepted)' : ' (tried first; their other TOTP devices work too)'}`,
      );
      if (enrolled.keysWorkWithoutMfa === 'yes') {
        console.log(
          `warning: ${enrolled.userName}'s keys work without MFA (a policy simulation with aws:MultiFactorAuthPresent=false allows them). Whoever gets the key the portal holds needs no code: attach a deny-unless-MFA policy (README "IAM policies an operator needs").`,
        );
      } else if (enrolled.keysWorkWithoutMfa === 'unknown') {
        console.log(
          `note: could not check whether ${enrolled.userName}'s keys work without MFA (the portal needs iam:SimulatePrincipalPolicy).`,
        );
      }
      if (enrolled.issuePath === 'mfa_session') {
        console.log(
          `note: ${enrolled.userName}'s policies deny sts:AssumeRole without MFA, so role credentials go through an MFA session and last at most 1 hour. See README "IAM policies" for the policy that allows longer sessions.`,
        );
      }
      return 0;
    }
    case 'unenroll': {
      const removed = await custody.unenroll(requireArg(args[0], 'unenroll <user>'));
      const { webSessions, mfaSessions, cliTokens } = removed.ended;
      console.log(
        `unenrolled ${removed.userName}; deleted key ${removed.accessKeyId}; ended ${webSessions} browser sessions, ${mfaSessions} MFA sessions and ${cliTokens} CLI tokens`,
      );
      return 0;
    }
    case 'enrolled': {
      for (const u of await custody.list()) {
        console.log(
          `${u.userName}\t${u.accessKeyId}\tkey from ${u.keyCreatedAt.toISOString().slice(0, 10)}\t${u.issuePath}\t${u.mfaSerial}${u.mfaSerialPinned ? ' (pinned)' : ''}`,
        );
      }
      return 0;
    }
    case 'rotate-keys': {
      const days = Number(str('older-than-days') ?? '90');
      if (!Number.isInteger(days) || days < 0) throw new UsageError('--older-than-days must be a whole number of days');
      const results = await custody.rotateKeys(days);
      for (const r of results) {
        if (r.newAccessKeyId) console.log(`${r.userName}: ${r.oldAccessKeyId} -> ${r.newAccessKeyId}`);
        if (r.error) console.log(`${r.userName}: ${r.error}`);
      }
      const failed = results.filter((r) => r.error).length;
      console.log(`${results.filter((r) => !r.error).length} rotated, ${failed} failed`);
      return results.some((r) => r.error) ? 1 : 0;
    }
    case 'rotate-master-key': {
      const current = ctx.config.masterKey;
      if (!current) throw new UsageError('PORTAL_MASTER_KEY must hold the current master key');
      const next = parseMasterKey((await readStdin()).trim());
      const ring = createKeyRing(next, [current, ...ctx.config.previousMasterKeys]);
      const counts = await custody.rotateMasterKey(ring);
      console.log(
        `re-encrypted ${counts.users} user keys, ${counts.mfaSessions} MFA sessions and ${counts.setupLinks} MFA setup links under master key ${next.id}.`,
      );
      console.log(
        'Now set PORTAL_MASTER_KEY to the new key on every instance, and the old one in PORTAL_PREVIOUS_MASTER_KEYS: it opens nothing any more, but audit events written under it verify only with it.',
      );
      return 0;
    }
    case 'revoke':
      return runRevoke(ctx, requireArg(args[0], 'revoke <user>'));
    case 'offboard':
      return runOffboard(ctx, requireArg(args[0], 'offboard <user>'), {
        deactivateOtherKeys: values['deactivate-other-keys'] === true,
        deactivateMfaDevices: values['deactivate-mfa-devices'] === true,
      });
    case 'revocations':
      return runRevocations(ctx, args);
    case 'role':
      return runRole(ctx, args, { str, list });
    case 'audit':
      return runAudit(ctx, args, str('checkpoint'));
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

async function runAudit(ctx: PortalContext, args: string[], checkpoint: string | undefined): Promise<number> {
  const { audit } = ctx.services;
  if (args[0] === 'checkpoint') {
    const head = await audit.checkpoint();
    console.log(head.checkpoint);
    console.error(
      `audit head: event ${head.seq} at ${head.time.toISOString()}. Keep the line above outside the portal's database; check it later with: npm run portal -- audit verify --checkpoint <line>`,
    );
    return 0;
  }
  if (args[0] !== 'verify') throw new UsageError('audit verify [--checkpoint <line>] | audit checkpoint');
  const against = checkpoint === undefined ? undefined : await audit.verifyCheckpoint(checkpoint);
  const check = against ?? (await audit.verifyChain());
  if (!check.ok && check.problem === 'unknown_key') {
    console.log(
      `audit chain cannot be verified from event ${check.brokenAtSeq} (${check.checked} verified before it): it is keyed under audit key ${check.missingKeyId}, which this portal does not hold. Put the master key that was current then in PORTAL_PREVIOUS_MASTER_KEYS.`,
    );
    return 1;
  }
  if (!check.ok && check.problem) {
    const why = check.problem === 'unkeyed_after_keyed' ? ': an unkeyed event after keyed ones' : '';
    console.log(`audit chain BROKEN at event ${check.brokenAtSeq} (${check.checked} verified before it)${why}`);
    return 1;
  }
  const keyed =
    check.keyedFromSeq === undefined
      ? check.checked > 0
        ? ' (none keyed: PORTAL_MASTER_KEY was not set when they were written)'
        : ''
      : check.keyedFromSeq > 1
        ? ` (keyed from event ${check.keyedFromSeq}; earlier ones predate keying)`
        : '';
  console.log(`audit chain intact: ${check.checked} events verified${keyed}`);
  if (against) {
    const { seq, time } = against.checkpoint;
    const when = time.toISOString();
    if (against.checkpointProblem === 'shorter') {
      console.log(
        `audit chain ends at event ${check.head?.seq ?? 0}, but the checkpoint of ${when} saw event ${seq}: the newest events were deleted`,
      );
      return 1;
    }
    if (against.checkpointProblem === 'differs') {
      console.log(`event ${seq} differs from the checkpoint of ${when}: the log was rewritten`);
      return 1;
    }
    console.log(`checkpoint of ${when} holds: event ${seq} is in the chain unchanged`);
  }
  return 0;
}

async function runRole(
  ctx: PortalContext,
  args: string[],
  { str, list }: { str: (name: string) => string | undefined; list: (name: string) => string[] | undefined },
): Promise<number> {
  const { catalog } = ctx.services;
  const [sub, alias, roleArn] = args;
  if (sub === 'add') {
    const maxDuration = str('max-duration');
    const role = await catalog.add({
      alias: requireArg(alias, 'role add <alias> <roleArn>'),
      roleArn: requireArg(roleArn, 'role add <alias> <roleArn>'),
      ...(list('groups') ? { groups: list('groups') } : {}),
      ...(list('users') ? { users: list('users') } : {}),
      ...(maxDuration !== undefined ? { maxDurationSeconds: Number(maxDuration) } : {}),
      ...(str('external-id') ? { externalId: str('external-id') } : {}),
      ...(str('description') ? { description: str('description') } : {}),
    });
    console.log(`added ${role.alias} -> ${role.roleArn} (max ${role.maxDurationSeconds} s)`);
    if (role.trustRequiresMfa === false)
      console.log(
        `warning: the trust policy of ${role.roleName} does not require MFA; anyone allowed by it can assume the role without a code.`,
      );
    return 0;
  }
  if (sub === 'list') {
    for (const r of await catalog.list()) {
      const who = [...r.allowedGroups.map((g) => `group:${g}`), ...r.allowedUsers.map((u) => `user:${u}`)].join(',');
      console.log(
        `${r.alias}\t${r.roleArn}\tmax ${r.maxDurationSeconds}s\t${who}${r.trustRequiresMfa === false ? '\t(trust policy does not require MFA)' : ''}`,
      );
    }
    return 0;
  }
  if (sub === 'remove') {
    const removed = await catalog.remove(requireArg(alias, 'role remove <alias>'));
    console.log(`removed ${removed.alias}`);
    return 0;
  }
  throw new UsageError('role add|list|remove');
}

function requireArg(value: string | undefined, usage: string): string {
  if (!value) throw new UsageError(`usage: ${usage}`);
  return value;
}

function parseImportedKey(text: string): { accessKeyId: string; secretAccessKey: string } {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 2) throw new UsageError('--import reads "ACCESS_KEY_ID SECRET_ACCESS_KEY" from standard input');
  return { accessKeyId: parts[0]!, secretAccessKey: parts[1]! };
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY)
    throw new UsageError(
      'this command reads from standard input; pipe the value in (it must not appear on the command line)',
    );
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`portal: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    if (error instanceof ConfigError) console.error(error.message);
    else if (error instanceof AppError) console.error(`portal: ${error.message}`);
    else if (error instanceof AwsCallError)
      console.error(`portal: AWS refused ${error.operation} (${error.awsCode}): ${error.message}`);
    else if (error instanceof SecretBoxError) console.error(`portal: master key: ${error.message}`);
    else if (error instanceof CheckpointError) console.error(`portal: audit checkpoint: ${error.message}`);
    else console.error(`portal: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
