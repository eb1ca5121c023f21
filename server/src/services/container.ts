import type { AwsGateway } from '../aws/aws-gateway.ts';
import type { Config } from '../config/config.ts';
import { serviceUnavailable } from '../errors/app-error.ts';
import type { PrismaClient } from '../generated/prisma-sqlite/client.ts';
import { createAttemptLimiter } from './abuse/attempt-limiter.ts';
import { createLockoutService, type LockoutService } from './abuse/lockout-service.ts';
import { auditKeysFrom } from './audit/audit-key.ts';
import { createAuditRepository } from './audit/audit-repository.ts';
import { type AuditService, createAuditService } from './audit/audit-service.ts';
import { type AwsConfigService, createAwsConfigService } from './aws-config/aws-config-service.ts';
import { createCatalogRepository } from './catalog/catalog-repository.ts';
import { type CatalogService, createCatalogService } from './catalog/catalog-service.ts';
import { createIamDirectory, type IamDirectory } from './catalog/iam-directory.ts';
import { createCliTokenRepository } from './cli-tokens/cli-token-repository.ts';
import { type CliTokenService, createCliTokenService } from './cli-tokens/cli-token-service.ts';
import { createComplianceRepository } from './compliance/compliance-repository.ts';
import { createComplianceScanner } from './compliance/compliance-scanner.ts';
import { createComplianceScheduler } from './compliance/compliance-scheduler.ts';
import { type ComplianceService, createComplianceService } from './compliance/compliance-service.ts';
import { defaultSleep } from './compliance/concurrency.ts';
import { type CredentialService, createCredentialService } from './credentials/credential-service.ts';
import { type CustodyService, createCustodyService } from './custody/custody-service.ts';
import { createKeyRing, type KeyRing } from './custody/secret-box.ts';
import { createHousekeeping, type Housekeeping } from './housekeeping/housekeeping.ts';
import { createLeaseStore } from './leases/lease-store.ts';
import { createMfaSetupService, type MfaSetupService } from './mfa-setup/mfa-setup-service.ts';
import { createMfaSessionStore } from './sessions/mfa-session-store.ts';
import { createRevocationService, type RevocationService } from './sessions/revocation-service.ts';
import { purgeExpiredSessions } from './sessions/session-store.ts';
import { type BrowserSessionService, createBrowserSessionService } from './sign-in/browser-session-service.ts';
import { createSignInService } from './sign-in/sign-in-service.ts';

export interface Services {
  audit: AuditService;
  catalog: CatalogService;
  directory: IamDirectory;
  custody: CustodyService;
  credentials: CredentialService;
  browserSessions: BrowserSessionService;
  cliTokens: CliTokenService;
  revocation: RevocationService;
  compliance: ComplianceService;
  complianceScheduler: ReturnType<typeof createComplianceScheduler>;
  mfaSetup: MfaSetupService;
  lockouts: LockoutService;
  housekeeping: Housekeeping;
  awsConfig: AwsConfigService;
}

/** Optional logger for background work (scans) that has no request to log through. */
export interface ServiceLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/** Wires every service from the settings, the database and AWS; routes only see `app.services`. */
export function createServices(prisma: PrismaClient, config: Config, aws: AwsGateway, log?: ServiceLog): Services {
  const keyRing = (): KeyRing => {
    if (!config.masterKey) {
      throw serviceUnavailable(
        'portal_not_configured',
        'The portal has no PORTAL_MASTER_KEY, so it cannot use stored keys. An administrator must set it.',
      );
    }
    return createKeyRing(config.masterKey, config.previousMasterKeys);
  };
  const audit = createAuditService({
    prisma,
    auditRepository: createAuditRepository(),
    keys: auditKeysFrom(config.masterKey, config.previousMasterKeys),
  });
  const directory = createIamDirectory({ aws, groupCacheMs: config.groupCacheSeconds * 1000 });
  const mfaSessions = createMfaSessionStore(prisma, keyRing);
  const tokens = createCliTokenRepository();
  const revocation = createRevocationService({ prisma, mfaSessions, tokens, audit });
  const custody = createCustodyService({ prisma, aws, keyRing, audit, revocation });
  const catalog = createCatalogService({
    prisma,
    repository: createCatalogRepository(),
    directory,
    custody,
    aws,
    audit,
  });
  const limiter = createAttemptLimiter({
    prisma,
    budgets: {
      perUserAddress: config.failureLimit,
      perUser: config.userFailureLimit,
      perAddress: config.addressFailureLimit,
      windowSeconds: config.failureWindowSeconds,
    },
  });
  const lockouts = createLockoutService({ prisma, limiter, audit });
  const signIn = createSignInService({
    prisma,
    aws,
    custody,
    limiter,
    audit,
    mfaSessions,
    failureFloorMs: config.failureFloorMs,
  });
  const credentials = createCredentialService({
    aws,
    custody,
    signIn,
    catalog,
    directory,
    audit,
    mfaSessions,
    region: config.awsRegion,
  });
  const browserSessions = createBrowserSessionService({
    signIn,
    directory,
    mfaSessions,
    audit,
    adminGroup: config.adminGroup,
    sessionSeconds: config.sessionSeconds,
  });
  const cliTokens = createCliTokenService({
    prisma,
    tokens,
    signIn,
    credentials,
    mfaSessions,
    audit,
    tokenSeconds: config.cliTokenSeconds,
  });
  const scanner = createComplianceScanner({
    aws,
    concurrency: config.complianceScanConcurrency,
    backoff: { attempts: 8, baseMs: 500, maxMs: 20_000, sleep: defaultSleep },
    reportTimeoutMs: 10 * 60_000,
  });
  const compliance = createComplianceService({
    prisma,
    repository: createComplianceRepository(),
    scanner,
    leases: createLeaseStore({ prisma }),
    custody,
    audit,
    ...(log ? { log } : {}),
  });
  const complianceScheduler = createComplianceScheduler({
    compliance,
    intervalMinutes: config.complianceScanIntervalMinutes,
    ...(log ? { log } : {}),
  });
  const mfaSetup = createMfaSetupService({
    prisma,
    aws,
    keyRing,
    audit,
    compliance,
    linkHours: config.mfaSetupLinkHours,
    publicUrl: config.publicUrl,
  });
  const housekeeping = createHousekeeping({
    everyMs: 10 * 60_000,
    tasks: [
      { name: 'web sessions', run: () => purgeExpiredSessions(prisma) },
      { name: 'mfa sessions', run: () => mfaSessions.purgeExpired() },
      { name: 'attempt counters', run: () => limiter.purgeExpired() },
      { name: 'expired mfa setup links', run: () => mfaSetup.sweepExpired() },
    ],
    ...(log ? { log } : {}),
  });
  return {
    audit,
    catalog,
    directory,
    custody,
    credentials,
    browserSessions,
    cliTokens,
    revocation,
    compliance,
    complianceScheduler,
    mfaSetup,
    lockouts,
    housekeeping,
    awsConfig: createAwsConfigService({
      credentials,
      profilePattern: config.awsConfigProfilePattern,
      region: config.awsRegion,
    }),
  };
}
