import { type FederationClient, FederationError } from '../../aws/federation-client.ts';
import { AppError, badRequest } from '../../errors/app-error.ts';
import { AuditAction, type RequestOrigin } from '../audit/audit-events.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { CatalogService } from '../catalog/catalog-service.ts';
import type { CliTokenService } from '../cli-tokens/cli-token-service.ts';
import type { CredentialService, IssueAudit, RoleCredentials } from '../credentials/credential-service.ts';
import { createIssuanceAudit } from '../credentials/issuance-audit.ts';
import { roleSessionNameFor } from '../credentials/role-session-name.ts';
import {
  CONSOLE_SESSION_SECONDS,
  consoleDestination,
  DestinationError,
  type Partition,
  partitionOf,
} from './console-destination.ts';

/** Who asks to open the console, proven the way the credentials routes prove it. */
export type ConsoleAuth =
  | { kind: 'session'; mfaSessionId: string; userName: string }
  | { kind: 'code'; userName: string; code: string }
  | { kind: 'token'; token: string };

export interface ConsoleRequest {
  auth: ConsoleAuth;
  roleAlias: string;
  durationSeconds?: number;
  region?: string;
  service?: string;
  /** The portal's address: AWS's "Issuer", where the console sends people whose session ended. */
  portalUrl: string;
  origin: RequestOrigin;
}

export interface ConsoleSignInServiceDeps {
  credentials: Pick<CredentialService, 'issueForSession' | 'issueWithCode'>;
  cliTokens: Pick<CliTokenService, 'issue'>;
  catalog: Pick<CatalogService, 'find'>;
  audit: Pick<AuditService, 'append'>;
  federation: FederationClient;
  federationUrls: Record<Partition, string>;
  region: string;
}

/**
 * "Open console": role credentials (from the MFA session, a fresh code, or a CLI token) go to
 * the AWS federation endpoint for a sign-in token, and the answer is the login address the
 * browser is sent to. That address is a bearer secret for the console: it is returned to the
 * route for one redirect and never logged, stored or put in an audit row.
 */
export function createConsoleSignInService({
  credentials,
  cliTokens,
  catalog,
  audit,
  federation,
  federationUrls,
  region,
}: ConsoleSignInServiceDeps) {
  const { commitAudit } = createIssuanceAudit(audit);

  async function issue(input: ConsoleRequest, auditAs: IssueAudit): Promise<RoleCredentials> {
    const common = {
      roleAlias: input.roleAlias,
      ...(input.durationSeconds !== undefined ? { durationSeconds: input.durationSeconds } : {}),
      origin: input.origin,
    };
    const { auth } = input;
    if (auth.kind === 'session')
      return credentials.issueForSession({ ...common, mfaSessionId: auth.mfaSessionId, audit: auditAs });
    if (auth.kind === 'code')
      return credentials.issueWithCode({ ...common, userName: auth.userName, code: auth.code, audit: auditAs });
    return cliTokens.issue({ ...common, token: auth.token, audit: auditAs });
  }

  return {
    /** Issues role credentials for the console and returns the federation login address. */
    async openConsole(input: ConsoleRequest): Promise<{ location: string }> {
      if (input.durationSeconds !== undefined && input.durationSeconds > CONSOLE_SESSION_SECONDS.max)
        throw badRequest('invalid_duration', 'A console session lasts at most 12 hours (43200 seconds).');
      // The destination is checked against the role's partition before anything is issued.
      const known = await catalog.find(input.roleAlias);
      let destination: ReturnType<typeof consoleDestination> | undefined;
      const destinationFor = (roleArn: string) => {
        try {
          return consoleDestination({
            partition: partitionOf(roleArn),
            configuredRegion: region,
            region: input.region,
            service: input.service,
          });
        } catch (error) {
          if (error instanceof DestinationError) throw badRequest('invalid_destination', error.message);
          throw error;
        }
      };
      if (known) destination = destinationFor(known.roleArn);
      const details = {
        consoleRegion: destination?.region ?? input.region ?? region,
        consoleService: destination?.service ?? input.service ?? 'console',
      };
      const issued = await issue(input, { action: AuditAction.ConsoleSignIn, details });
      destination ??= destinationFor(issued.role.roleArn);
      const endpoint = federationUrls[partitionOf(issued.role.roleArn)];
      // The console session lasts as long as the credentials were asked for (AWS caps chained
      // sessions at one hour, and the console at 12 hours).
      const sessionSeconds = Math.min(
        CONSOLE_SESSION_SECONDS.max,
        Math.max(CONSOLE_SESSION_SECONDS.min, issued.durationSeconds),
      );
      let signinToken: string;
      try {
        signinToken = await federation.getSigninToken(endpoint, issued.credentials, sessionSeconds);
      } catch (error) {
        if (!(error instanceof FederationError)) throw error;
        await commitAudit({
          actor: issued.credentials.userName,
          action: AuditAction.ConsoleSignIn,
          outcome: 'failure',
          errorCode: error.status === null ? 'federation_unreachable' : `federation_${error.status}`,
          targetRoleArn: issued.role.roleArn,
          roleSessionName: roleSessionNameFor(issued.credentials.userName),
          ...input.origin,
          metadata: { ...details, roleAlias: issued.role.alias, issuedAccessKeyId: issued.credentials.accessKeyId },
        });
        throw new AppError(
          502,
          'console_unavailable',
          'AWS did not accept the console sign-in (its federation endpoint refused or did not answer). Try again; if it keeps failing, ask an administrator to check CONSOLE_FEDERATION_URL_*.',
        );
      }
      return {
        location: federation.loginUrl(endpoint, {
          issuer: input.portalUrl,
          destination: destination.url,
          signinToken,
        }),
      };
    },
  };
}

export type ConsoleSignInService = ReturnType<typeof createConsoleSignInService>;
