import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.ts';
import { unauthorized } from '../errors/app-error.ts';
import { requireSignedIn } from '../plugins/web-session.ts';
import { AwsConfigQuery, awsConfigResponses } from './aws-config-schemas.ts';
import { portalUrlOf } from './request-origin.ts';
import type { RouteTypeProvider } from './route-type-provider.ts';
import { errorResponses, isFlagSet } from './schemas.ts';

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/;

/**
 * `GET /api/v1/aws-config`: a `~/.aws/config` profile for every role the caller may request. The
 * signed-in browser downloads it (it carries no secret, so a GET without CSRF token is fine: a
 * cross-site page cannot read the answer); `aws-mfa-portal-credentials configure` asks for the
 * JSON with its portal token and writes the block itself.
 */
const awsConfigRoutes: FastifyPluginAsync<{ config: Config }> = async (fastify, { config }) => {
  const app = fastify.withTypeProvider<RouteTypeProvider>();

  async function callerOf(request: FastifyRequest): Promise<string> {
    const header = request.headers.authorization;
    if (header === undefined) return (await requireSignedIn(request)).userName;
    const match = BEARER.exec(header);
    if (!match) throw unauthorized('invalid_token', 'Send the portal token as "Authorization: Bearer <token>".');
    return (await app.services.cliTokens.ownerOf(match[1]!)).userName;
  }

  app.get(
    '/api/v1/aws-config',
    {
      schema: {
        summary: 'A ~/.aws/config profile for every role you may request (credential_process or container endpoint)',
        tags: ['credentials'],
        querystring: AwsConfigQuery,
        security: [{ bearerAuth: [] }, {}],
        response: { ...awsConfigResponses, ...errorResponses },
      },
    },
    async (request, reply) => {
      const userName = await callerOf(request);
      const portalUrl = portalUrlOf(request, config.publicUrl).replace(/\/$/, '');
      reply.header('cache-control', 'no-store');
      if (request.query.format === 'json') {
        return { userName, portalUrl, profiles: await app.services.awsConfig.profilesOf(userName) };
      }
      const source = request.query.source ?? 'credential_process';
      const body = await app.services.awsConfig.render(userName, { portalUrl, source });
      if (isFlagSet(request.query.download)) reply.header('content-disposition', 'attachment; filename="config"');
      return reply.header('content-type', 'text/plain; charset=utf-8').send(body);
    },
  );
};

export default awsConfigRoutes;
