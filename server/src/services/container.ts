import type { AwsGateway } from '../aws/aws-gateway.ts';
import { createFederationClient } from '../aws/federation-client.ts';
import type { Config } from '../config/config.ts';
import { parseDatabaseUrl } from '../db/database-url.ts';
import { serviceUnavailable } from '../errors/app-error.ts';
import type { PrismaClient } from '../generated/prisma-sqlite/client.ts';
import { createAttemptLimiter } from './abuse/attempt-limiter.ts';
import { createLockoutService, type LockoutService } from './abuse/lockout-service.ts';
import { type AlertService, createAlertService } from './alerts/alert-service.ts';
import { auditKeysFrom } from './audit/audit-key.ts';
import { createAuditRepository } from './audit/audit-repository.ts';
import { type AuditService, createAuditService } from './audit/audit-service.ts';
import { type ChainVerifier, createChainVerifier } from './audit/chain-verifier.ts';
import { type AuditOutbox, createAuditOutbox } from './audit-sinks/audit-outbox.ts';
import { configuredSinks } from './audit-sinks/configured-sinks.ts';
import { createSinkCursorRepository } from './audit-sinks/sink-cursor-repository.ts';
import { type AwsConfigService, createAwsConfigService } from './aws-config/aws-config-service.ts';
import { createCatalogRepository } from './catalog/catalog-repository.ts';
import { type CatalogService, createCatalogService } from './catalog/catalog-service.ts';
import { createIamDirectory, type IamDirectory } from './catalog/iam-directory.ts';
import { createCisRepository } from './cis/cis-repository.ts';
import { type CisService, createCisService } from './cis/cis-service.ts';
import { createCliTokenRepository } from './cli-tokens/cli-token-repository.ts';
import { type CliTokenService, createCliTokenService } from './cli-tokens/cli-token-service.ts';
import { createComplianceRepository } from './compliance/compliance-repository.ts';
import { createComplianceScanner } from './compliance/compliance-scanner.ts';
import { createComplianceScheduler } from './compliance/compliance-scheduler.ts';
import { type ComplianceService, createComplianceService } from './compliance/compliance-service.ts';
import { defaultSleep } from './compliance/concurrency.ts';
import { createSnapshotUpdates } from './compliance/snapshot-updates.ts';
import { type ConsoleSignInService, createConsoleSignInService } from './console/console-sign-in-service.ts';
import { type CredentialService, createCredentialService } from './credentials/credential-service.ts';
import { type CustodyService, createCustodyService } from './custody/custody-service.ts';
import { createKeyRing, type KeyRing } from './custody/secret-box.ts';
import { createHousekeeping, type Housekeeping } from './housekeeping/housekeeping.ts';
import { createLeaseStore } from './leases/lease-store.ts';
import { meteredAudit, meteredGateway, meteredScanner } from './metrics/metered.ts';
import type { PortalMetrics } from './metrics/portal-metrics.ts';
import { createMfaSetupService, type MfaSetupService } from './mfa-setup/mfa-setup-service.ts';
import { createRemediationService, type RemediationService } from './remediation/remediation-service.ts';
import { type AwsRevocationService, createAwsRevocationService } from './revocation/aws-revocation-service.ts';
import { createDepartures } from './revocation/departures.ts';
import { createIssuedCredentialsReader } from './revocation/issued-credentials.ts';
import { createOffboardingService, type OffboardingService } from './revocation/offboarding-service.ts';
import { createMfaSessionStore } from './sessions/mfa-session-store.ts';
import { createRevocationService, type RevocationService } from './sessions/revocation-service.ts';
import { purgeExpiredSessions } from './sessions/session-store.ts';
import { type BrowserSessionService, createBrowserSessionService } from './sign-in/browser-session-service.ts';
import { createSignInService } from './sign-in/sign-in-service.ts';
export interface Services {
  audit: AuditService;
  /** The chain check the admin console shows: new rows only, unless asked for a full walk. */
  chainVerifier: ChainVerifier;
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
  consoleSignIn: ConsoleSignInService;
  /** Streams the audit log to the configured SIEM sinks (started when the server listens). */
  auditOutbox: AuditOutbox;
  awsRevocation: AwsRevocationService;
  offboarding: OffboardingService;
  departures: ReturnType<typeof createDepartures>;
  cis: CisService;
  remediation: RemediationService;
  alerts: AlertService;
  awsConfig: AwsConfigService;
}

/** Optional logger for background work (scans) that has no request to log through. */
export interface ServiceLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/**
 * Wires every service from the settings, the database and AWS; routes only see `app.services`.
 * With `metrics`, AWS calls, audit appends, scans and turned-away attempts are measured.
 */
export function createServices(
  prisma: PrismaClient,
  config: Config,
  awsGateway: AwsGateway,
  log?: ServiceLog,
  metrics?: PortalMetrics,
): Services {
  const aws = metrics ? meteredGateway(awsGateway, metrics) : awsGateway;
  const { provider } = parseDatabaseUrl(config.databaseUrl);
  const keyRing = (): KeyRing => {
    if (!config.masterKey) {
      throw serviceUnavailable(
        'portal_not_configured',
        'The portal has no PORTAL_MASTER_KEY, so it cannot use stored keys. An administrator must set it.',
      );
    }
    return createKeyRing(config.masterKey, config.previousMasterKeys);
  };
  const auditRepository = createAuditRepository();
  const auditService = createAuditService({
    prisma,
    auditRepository,
    keys: auditKeysFrom(config.masterKey, config.previousMasterKeys),
    provider,
  });
  const audit = metrics ? meteredAudit(auditService, metrics) : auditService;
  const directory = createIamDirectory({ aws, groupCacheMs: config.groupCacheSeconds * 1000 });
  const mfaSessions = createMfaSessionStore(prisma, keyRing);
  const tokens = createCliTokenRepository();
  const revocation = createRevocationService({ prisma, mfaSessions, tokens, audit });
  const complianceRepository = createComplianceRepository({ provider });
  const snapshot = createSnapshotUpdates({ repository: complianceRepository });
  const custody = createCustodyService({ prisma, aws, keyRing, audit, revocation, snapshot });
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
    ...(metrics ? { observe: { rejection: metrics.mfaRejection, budgetRefusal: metrics.budgetRefusal } } : {}),
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
  const plainScanner = createComplianceScanner({
    aws,
    concurrency: config.complianceScanConcurrency,
    backoff: { attempts: 8, baseMs: 500, maxMs: 20_000, sleep: defaultSleep },
    reportTimeoutMs: 10 * 60_000,
  });
  const scanner = metrics ? meteredScanner(plainScanner, metrics) : plainScanner;
  // CIS checks, alerts and remediation read compliance snapshots (services/cis, alerts, remediation).
  const cis = createCisService({
    prisma,
    repository: createCisRepository({ provider }),
    compliance: complianceRepository,
    audit,
  });
  const alerts = createAlertService({
    prisma,
    audit,
    webhooks: config.alertWebhooks,
    attempts: config.alertDeliveryAttempts,
    portalUrl: config.publicUrl,
    ...(log ? { log } : {}),
  });
  const remediation = createRemediationService({ prisma, aws, compliance: complianceRepository, cis, audit });
  const compliance = createComplianceService({
    prisma,
    repository: complianceRepository,
    onScanComplete: async (scanId) => {
      const found = await cis.recordScan(scanId);
      const scan = await complianceRepository.scan(prisma, scanId);
      if (scan)
        await alerts.notify(
          { id: scanId, scannedAt: scan.finishedAt ?? scan.startedAt, accountId: scan.accountId },
          found.regressions,
        );
    },
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
    snapshot,
    linkHours: config.mfaSetupLinkHours,
    publicUrl: config.publicUrl,
  });
  const awsRevocation = createAwsRevocationService({
    prisma,
    aws,
    catalog,
    custody,
    sessions: revocation,
    audit,
    leases: createLeaseStore({ prisma }),
    issued: createIssuedCredentialsReader({
      signInSeconds: config.sessionSeconds,
      cliTokenSeconds: config.cliTokenSeconds,
    }),
    revocationRoleName: config.revocationRoleName,
    userSessionSeconds: Math.max(config.sessionSeconds, config.cliTokenSeconds),
  });
  const offboarding = createOffboardingService({
    prisma,
    revocations: awsRevocation,
    sessions: revocation,
    custody,
    aws,
    audit,
  });
  const departures = createDepartures({ compliance, catalog, custody, offboarding });
  const housekeeping = createHousekeeping({
    everyMs: 10 * 60_000,
    tasks: [
      { name: 'web sessions', run: () => purgeExpiredSessions(prisma) },
      { name: 'mfa sessions', run: () => mfaSessions.purgeExpired() },
      { name: 'attempt counters', run: () => limiter.purgeExpired() },
      { name: 'expired mfa setup links', run: () => mfaSetup.sweepExpired() },
      { name: 'departed users', run: async () => (await departures.offboardDeparted()).length },
      { name: 'expired aws revocations', run: async () => (await awsRevocation.cleanup())?.targets.length ?? 0 },
    ],
    ...(log ? { log } : {}),
  });
  const consoleSignIn = createConsoleSignInService({
    credentials,
    cliTokens,
    catalog,
    audit,
    federation: createFederationClient(),
    federationUrls: config.consoleFederationUrls,
    region: config.awsRegion,
  });
  const auditOutbox = createAuditOutbox({
    prisma,
    auditRepository,
    cursors: createSinkCursorRepository(prisma),
    leases: createLeaseStore({ prisma }),
    sinks: configuredSinks(config.auditSinks),
    ...(metrics ? { metrics } : {}),
    ...(log ? { log } : {}),
  });
  return {
    consoleSignIn,
    audit,
    chainVerifier: createChainVerifier(audit),
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
    auditOutbox,
    awsRevocation,
    offboarding,
    departures,
    cis,
    remediation,
    alerts,
    awsConfig: createAwsConfigService({
      credentials,
      profilePattern: config.awsConfigProfilePattern,
      region: config.awsRegion,
    }),
  };
}
