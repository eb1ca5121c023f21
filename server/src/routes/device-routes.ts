import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { requireSignedIn, requireSignedInWithCsrf, SESSION_COOKIE } from '../plugins/web-session.ts';
import { CliTokenItem, CliTokenList, cliTokenItem, EndedSessions, TokenId } from './cli-token-schemas.ts';
import { originOf } from './request-origin.ts';
import type { RouteTypeProvider } from './route-type-provider.ts';
import { errorResponses } from './schemas.ts';

/** "Devices and tokens": the signed-in user's CLI tokens, revoking one, and signing out everywhere. */
const deviceRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<RouteTypeProvider>();
  const tags = ['session'];

  app.get(
    '/api/v1/cli-tokens',
    {
      schema: {
        summary: "The signed-in user's credential_process tokens, newest first",
        tags,
        response: { 200: CliTokenList, ...errorResponses },
      },
    },
    async (request) => {
      const s = await requireSignedIn(request);
      const tokens = await app.services.cliTokens.listOf(s.userName);
      return { tokens: tokens.map(cliTokenItem) };
    },
  );

  app.delete(
    '/api/v1/cli-tokens/:tokenId',
    {
      schema: {
        summary: 'Revoke one of your tokens: its next use gets 401 invalid_token',
        tags,
        params: Type.Object({ tokenId: TokenId }),
        response: { 200: CliTokenItem, ...errorResponses },
      },
    },
    async (request) => {
      const s = await requireSignedInWithCsrf(request);
      const revoked = await app.services.cliTokens.revoke({
        userName: s.userName,
        tokenId: request.params.tokenId,
        by: { actor: s.userName, origin: originOf(request) },
      });
      return cliTokenItem(revoked);
    },
  );

  app.post(
    '/api/v1/session/sign-out-everywhere',
    {
      schema: {
        summary: 'End every browser session, MFA session and CLI token of the signed-in user',
        tags,
        response: { 200: EndedSessions, ...errorResponses },
      },
    },
    async (request, reply) => {
      const s = await requireSignedInWithCsrf(request);
      const ended = await app.services.revocation.signOutEverywhere({
        userName: s.userName,
        origin: originOf(request),
      });
      await request.session.destroy();
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return ended;
    },
  );
};

export default deviceRoutes;
