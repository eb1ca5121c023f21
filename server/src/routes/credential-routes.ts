import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.ts';
import { unauthorized } from '../errors/app-error.ts';
import { ProcessCredentialsJson } from '../formats/output-schemas.ts';
import { noteIssuance } from '../plugins/metrics.ts';
import { requireSignedInWithCsrf } from '../plugins/web-session.ts';
import type { RoleCredentials } from '../services/credentials/credential-service.ts';
import { sendCredentials } from './credential-response.ts';
import {
  CliToken,
  CliTokenRequest,
  CredentialRequest,
  credentialResponses,
  ProcessQuery,
} from './credential-schemas.ts';
import { originOf, portalUrlOf } from './request-origin.ts';
import type { RouteTypeProvider } from './route-type-provider.ts';
import { errorResponses, isFlagSet } from './schemas.ts';

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/;

function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? BEARER.exec(header) : null;
  if (!match) throw unauthorized('invalid_token', 'Send the portal token as "Authorization: Bearer <token>".');
  return match[1]!;
}

/**
 * Role credentials. One route serves three callers:
 * - scripts (`userName` + `code`, JSON or form-encoded, no cookie, no CSRF token needed);
 * - the signed-in browser (cookie + x-csrf-token), optionally with a fresh `code` for longer sessions;
 * - the AWS CLI's credential_process helper, with a bearer token (GET .../process).
 */
const credentialRoutes: FastifyPluginAsync<{ config: Config }> = async (fastify, { config }) => {
  const app = fastify.withTypeProvider<RouteTypeProvider>();

  app.post(
    '/api/v1/credentials',
    {
      schema: {
        summary: 'Temporary credentials for a catalog role, proven by an MFA code or a signed-in session',
        tags: ['credentials'],
        body: CredentialRequest,
        response: { ...credentialResponses, ...errorResponses },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const origin = originOf(request);
      const format = body.format ?? 'json';
      const portalUrl = portalUrlOf(request, config.publicUrl);
      const common = {
        roleAlias: body.role,
        ...(body.durationSeconds !== undefined ? { durationSeconds: body.durationSeconds } : {}),
        render: { format, portalUrl, ...(body.profile ? { profile: body.profile } : {}) },
        origin,
      };
      let issued: RoleCredentials;
      noteIssuance(request, body.userName !== undefined || body.code !== undefined ? 'one_shot' : 'browser');
      if (body.userName !== undefined) {
        if (body.code === undefined)
          throw unauthorized('invalid_mfa_code', 'Send the MFA code (`code`) with the user name.');
        issued = await app.services.credentials.issueWithCode({ ...common, userName: body.userName, code: body.code });
      } else {
        const s = await requireSignedInWithCsrf(request);
        issued =
          body.code !== undefined
            ? await app.services.credentials.issueWithCode({ ...common, userName: s.userName, code: body.code })
            : await app.services.credentials.issueForSession({ ...common, mfaSessionId: s.mfaSessionId });
      }
      noteIssuance(request, request.issuance?.path ?? 'one_shot', issued.credentials.userName);
      return sendCredentials(reply, issued.credentials, format, {
        roleAlias: issued.role.alias,
        portalUrl,
        ...(body.profile ? { profile: body.profile } : {}),
        download: isFlagSet(body.download),
      });
    },
  );

  app.get(
    '/api/v1/credentials/process',
    {
      config: { issuancePath: 'credential_process' },
      schema: {
        summary: 'credential_process JSON for the AWS CLI, authorised by a portal token',
        tags: ['credentials'],
        querystring: ProcessQuery,
        security: [{ bearerAuth: [] }],
        response: { 200: ProcessCredentialsJson, ...errorResponses },
      },
    },
    async (request, reply) => {
      const issued = await app.services.cliTokens.issue({
        token: bearerToken(request),
        roleAlias: request.query.role,
        ...(request.query.durationSeconds !== undefined ? { durationSeconds: request.query.durationSeconds } : {}),
        origin: originOf(request),
      });
      noteIssuance(request, 'credential_process', issued.credentials.userName);
      return sendCredentials(reply, issued.credentials, 'process', {});
    },
  );

  app.post(
    '/api/v1/cli-tokens',
    {
      schema: {
        summary: 'A token for the credential_process helper, bought with an MFA code',
        tags: ['credentials'],
        body: CliTokenRequest,
        response: { 201: CliToken, ...errorResponses },
      },
    },
    async (request, reply) => {
      const created = await app.services.cliTokens.create({ ...request.body, origin: originOf(request) });
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({ token: created.token, expiresAt: created.expiresAt });
    },
  );
};

export default credentialRoutes;
