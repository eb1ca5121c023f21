import type { AwsGateway } from '../aws/aws-gateway.ts';
import type { Config } from '../config/config.ts';
import type { PrismaClient } from '../generated/prisma-sqlite/client.ts';
import { serviceUnavailable } from '../errors/app-error.ts';
import { createAttemptLimiter } from './abuse/attempt-limiter.ts';
import { createAuditRepository } from './audit/audit-repository.ts';
import { createAuditService, type AuditService } from './audit/audit-service.ts';
import { createCatalogService, type CatalogService } from './catalog/catalog-service.ts';
import { createCliTokenService, type CliTokenService } from './cli-tokens/cli-token-service.ts';
import { createCredentialService, type CredentialService } from './credentials/credential-service.ts';
import { createCustodyService, type CustodyService } from './custody/custody-service.ts';
import { createKeyRing, type KeyRing } from './custody/secret-box.ts';
import { createMfaSessionStore } from './sessions/mfa-session-store.ts';
import { createBrowserSessionService, type BrowserSessionService } from './sign-in/browser-session-service.ts';
import { createSignInService } from './sign-in/sign-in-service.ts';


export interface Services {
  audit: AuditService;
  catalog: CatalogService;
  custody: CustodyService;
  credentials: CredentialService;
  browserSessions: BrowserSessionService;
  cliTokens: CliTokenService;
}

/** Wires every service from the settings, the database and AWS; routes only see `app.services`. */
export function createServices(prisma: PrismaClient, config: Config, aws: AwsGateway, failureFloorMs = 400): Services {
  const keyRing = (): KeyRing => {
    if (!config.masterKey) {
      throw serviceUnavailable('portal_not_configured', 'The portal has no PORTAL_MASTER_KEY, so it cannot use stored keys. An administrator must set it.');
    }
    return createKeyRing(config.masterKey, config.previousMasterKeys);
  };
  const audit = createAuditService({ prisma, auditRepository: createAuditRepository() });
  const catalog = createCatalogService({ prisma, aws, groupCacheMs: config.groupCacheSeconds * 1000 });
  const custody = createCustodyService({ prisma, aws, keyRing, audit });
  const mfaSessions = createMfaSessionStore(prisma, keyRing);
  const limiter = createAttemptLimiter({ prisma, limits: { perUser: config.failureLimit, perAddress: config.addressFailureLimit, windowSeconds: config.failureWindowSeconds } });
  const signIn = createSignInService({ prisma, aws, custody, limiter, audit, mfaSessions, failureFloorMs });
  const credentials = createCredentialService({ prisma, aws, signIn, catalog, audit, mfaSessions, region: config.awsRegion });
  const browserSessions = createBrowserSessionService({ signIn, catalog, mfaSessions, audit, adminGroup: config.adminGroup, sessionSeconds: config.sessionSeconds });
  const cliTokens = createCliTokenService({ prisma, signIn, credentials, tokenSeconds: config.cliTokenSeconds });
  return { audit, catalog, custody, credentials, browserSessions, cliTokens };
}
