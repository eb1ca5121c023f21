import { badRequest } from '../../errors/app-error.ts';
import {
  type AwsConfigProfile,
  InvalidRenderInputError,
  PROFILE_SOURCES,
  type ProfileSourceName,
  profilesFor,
  renderAwsConfig,
} from '../../formats/index.ts';
import type { CredentialService } from '../credentials/credential-service.ts';
import { CHAINED_MAX_DURATION_SECONDS } from '../credentials/duration.ts';

export interface AwsConfigServiceDeps {
  credentials: Pick<CredentialService, 'rolesFor'>;
  /** AWS_CONFIG_PROFILE_PATTERN, checked at boot. */
  profilePattern: string;
  region: string;
}

/** Bad input (a portal URL from an odd Host header, say) is the caller's 400, never a 500. */
function asBadRequest<T>(render: () => T): T {
  try {
    return render();
  } catch (error) {
    if (error instanceof InvalidRenderInputError && error.source === 'options')
      throw badRequest('invalid_request', error.message);
    throw error;
  }
}

/**
 * The profiles of a user's generated `~/.aws/config`: one per role the catalog lets them request
 * now (so a role they lost disappears from the next download or `configure`). The duration is
 * what the helper's requests get: a role session made from an MFA session lasts at most an hour.
 */
export function createAwsConfigService({ credentials, profilePattern, region }: AwsConfigServiceDeps) {
  async function profilesOf(userName: string): Promise<AwsConfigProfile[]> {
    const roles = await credentials.rolesFor(userName);
    return asBadRequest(() =>
      profilesFor(
        roles.map((role) => ({
          alias: role.alias,
          roleArn: role.roleArn,
          roleName: role.roleName,
          accountId: role.accountId,
          accountAlias: role.accountAlias,
          durationSeconds: Math.min(CHAINED_MAX_DURATION_SECONDS, role.maxDurationSeconds),
        })),
        profilePattern,
        region,
      ),
    );
  }

  return {
    profilesOf,

    /** The `~/.aws/config` block, each profile getting its credentials the way `source` says. */
    async render(userName: string, options: { portalUrl: string; source: ProfileSourceName }): Promise<string> {
      const profiles = await profilesOf(userName);
      return asBadRequest(() =>
        renderAwsConfig(profiles, {
          portalUrl: options.portalUrl,
          source: PROFILE_SOURCES[options.source],
          userName,
        }),
      );
    },
  };
}

export type AwsConfigService = ReturnType<typeof createAwsConfigService>;
