import type { FastifyPluginAsync } from 'fastify';
import { unauthorized } from '../errors/app-error.ts';
import { AuditAction } from '../services/audit/audit-events.ts';
import {
  ContainerCredentials,
  ContainerCredentialsParams,
  ContainerCredentialsQuery,
} from './container-credential-schemas.ts';
import { portalTokenOf } from './portal-token.ts';
import { originOf } from './request-origin.ts';
import type { RouteTypeProvider } from './route-type-provider.ts';
import { errorResponses } from './schemas.ts';

/**
 * The container credentials endpoint: every AWS SDK (and the AWS CLI v2) fetches role
 * credentials here by itself, and again before they expire, with
 *   AWS_CONTAINER_CREDENTIALS_FULL_URI=https://portal.../api/v1/container-credentials/<role>
 *   AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]=<portal token from `aws-mfa-portal-credentials login`>
 * The SDKs send the token verbatim as the Authorization header (a `Bearer ` prefix is accepted
 * too). Each fetch is one issuance on the token's MFA session, audited as credentials.container.
 */
const containerCredentialRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<RouteTypeProvider>();

  // The protocol's clients read `code` and `message`: mirror `error` into them (this plugin's
  // routes only; the body is already serialized, so the schema cannot strip it).
  app.addHook('onSend', async (_request, reply, payload) => {
    if (reply.statusCode < 400 || typeof payload !== 'string') return payload;
    try {
      const body = JSON.parse(payload) as { error?: unknown };
      const { message } = body as { message?: unknown };
      // Go and botocore read `code`/`message`; the JS SDK reads `Code`/`Message`.
      return typeof body.error === 'string'
        ? JSON.stringify({ code: body.error, Code: body.error, Message: message, ...body })
        : payload;
    } catch {
      return payload;
    }
  });

  app.get(
    '/api/v1/container-credentials/:role',
    {
      schema: {
        summary: 'Role credentials in the AWS container credentials format, authorised by a portal token',
        tags: ['credentials'],
        params: ContainerCredentialsParams,
        querystring: ContainerCredentialsQuery,
        security: [{ bearerAuth: [] }],
        description:
          'Errors have the portal error shape plus `code`/`Code` and `Message` (copies of `error` and `message`), which the SDKs read.',
        response: { 200: ContainerCredentials, ...errorResponses },
      },
    },
    async (request, reply) => {
      const token = portalTokenOf(request, { bare: true });
      if (token === undefined)
        throw unauthorized(
          'invalid_token',
          'Send the portal token in the Authorization header (AWS_CONTAINER_AUTHORIZATION_TOKEN or _TOKEN_FILE).',
        );
      const issued = await app.services.cliTokens.issue({
        token,
        roleAlias: request.params.role,
        ...(request.query.durationSeconds !== undefined ? { durationSeconds: request.query.durationSeconds } : {}),
        origin: originOf(request),
        audit: { action: AuditAction.ContainerCredentials },
      });
      reply.header('cache-control', 'no-store');
      return {
        AccessKeyId: issued.credentials.accessKeyId,
        SecretAccessKey: issued.credentials.secretAccessKey,
        Token: issued.credentials.sessionToken,
        Expiration: issued.credentials.expiration,
        RoleArn: issued.role.roleArn,
      };
    },
  );
};

export default containerCredentialRoutes;
