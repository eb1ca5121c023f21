import type { ApplyReport } from '../services/revocation/aws-revocation-service.ts';
import type { PortalContext } from './portal-context.ts';

/** `revoke <user>`, `offboard <user>` and `revocations [apply]`; exit 1 when AWS was not fully changed. */

function printReport(report: ApplyReport): void {
  for (const t of report.targets) {
    console.log(`  ${t.status.padEnd(7)} ${t.kind} ${t.arn}${t.error ? `  (${t.error})` : ''}`);
  }
  if (!report.complete) {
    console.log(
      'NOT COMPLETE: the roles and users marked failed still accept the old credentials. Fix the cause and run `revocations apply`.',
    );
  }
}

export async function runRevoke(ctx: PortalContext, userName: string): Promise<number> {
  const result = await ctx.services.awsRevocation.revoke(userName, { actor: 'system' });
  const { webSessions, mfaSessions, cliTokens } = result.ended;
  console.log(
    `revoked AWS sessions of ${result.revocation.userName} issued before ${result.revocation.revokedAt.toISOString()} (entry expires ${result.revocation.expiresAt.toISOString()}); ended ${webSessions} browser sessions, ${mfaSessions} MFA sessions and ${cliTokens} CLI tokens`,
  );
  printReport(result.applied);
  return result.applied.complete ? 0 : 1;
}

export async function runOffboard(
  ctx: PortalContext,
  userName: string,
  options: { deactivateOtherKeys: boolean; deactivateMfaDevices: boolean },
): Promise<number> {
  const result = await ctx.services.offboarding.offboard(userName, options, { actor: 'system' });
  if (result.applied) printReport(result.applied);
  if (result.status === 'done') {
    console.log(`offboarded ${result.userName}`);
    return 0;
  }
  console.log(`offboarding of ${result.userName} stopped at step ${result.step}; run it again to resume`);
  return 1;
}

export async function runRevocations(ctx: PortalContext, args: string[]): Promise<number> {
  if (args[0] === 'apply') {
    const report = await ctx.services.awsRevocation.apply();
    await ctx.services.awsRevocation.recordApply(report, { actor: 'system' }, null);
    printReport(report);
    return report.complete ? 0 : 1;
  }
  for (const r of await ctx.services.awsRevocation.list()) {
    console.log(
      `${r.userName}\tbefore ${r.revokedAt.toISOString()}\tuntil ${r.expiresAt.toISOString()}\tby ${r.revokedBy}`,
    );
  }
  for (const o of await ctx.services.offboarding.unfinished()) {
    console.log(`unfinished offboarding: ${o.userName} at step ${o.step} (started ${o.startedAt.toISOString()})`);
  }
  return 0;
}
