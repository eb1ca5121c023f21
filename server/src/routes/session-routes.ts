import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config/config.ts';
import { newCsrfToken, requireSignedIn, requireSignedInWithCsrf, SESSION_COOKIE } from '../plugins/web-session.ts';
import { sendCredentials } from './credential-response.ts';
import { credentialResponses } from './credential-schemas.ts';
import { originOf } from './request-origin.ts';
import type { RouteTypeProvider } from './route-type-provider.ts';
import { errorResponses, isFlagSet, NoContent } from './schemas.ts';
import { MeResponse, SessionCredentialsRequest, SessionInfo, SignInRequest } from './session-schemas.ts';

/** Browser sign-in with an MFA code, the signed-in user's roles, and their own MFA session credentials. */
const sessionRoutes: FastifyPluginAsync<{ config: Config }> = async (fastify, { config }) => {
  const app = fastify.withTypeProvider<RouteTypeProvider>();

  app.post(
    '/api/v1/session',
    {
      schema: {
        summary: 'Sign in with an IAM user name and an MFA code',
        tags: ['session'],
        body: SignInRequest,
        response: { 200: SessionInfo, ...errorResponses },
      },
    },
    async (request) => {
      const signedIn = await app.services.browserSessions.signIn({ ...request.body, origin: originOf(request) });
      // A fresh session id at every sign-in: a planted cookie is never promoted to a signed-in one.
      await request.session.regenerate();
      if (request.protocol === 'https') request.session.options({ secure: true });
      const csrfToken = newCsrfToken();
      request.session.userName = signedIn.userName;
      request.session.accountId = signedIn.accountId;
      request.session.isAdmin = signedIn.isAdmin;
      request.session.mfaSessionId = signedIn.mfaSessionId;
      request.session.expiresAt = signedIn.expiresAt.toISOString();
      request.session.csrfToken = csrfToken;
      const untilMfaSessionEnds = signedIn.expiresAt.getTime() - Date.now();
      request.session.cookie.maxAge = Math.max(0, Math.min(untilMfaSessionEnds, config.sessionSeconds * 1000));
      return {
        user: { userName: signedIn.userName, accountId: signedIn.accountId, isAdmin: signedIn.isAdmin },
        csrfToken,
        expiresAt: signedIn.expiresAt,
      };
    },
  );

  app.get(
    '/api/v1/session',
    {
      schema: {
        summary: 'The current sign-in and its CSRF token',
        tags: ['session'],
        response: { 200: SessionInfo, ...errorResponses },
      },
    },
    async (request) => {
      const s = await requireSignedIn(request);
      return {
        user: { userName: s.userName, accountId: s.accountId, isAdmin: s.isAdmin },
        csrfToken: s.csrfToken,
        expiresAt: s.expiresAt,
      };
    },
  );

  app.delete(
    '/api/v1/session',
    { schema: { summary: 'Sign out', tags: ['session'], response: { 204: NoContent, ...errorResponses } } },
    async (request, reply) => {
      const s = await requireSignedInWithCsrf(request);
      await app.services.browserSessions.signOut({
        userName: s.userName,
        mfaSessionId: s.mfaSessionId,
        origin: originOf(request),
      });
      await request.session.destroy();
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/me',
    {
      schema: {
        summary: 'The signed-in user and the roles they may request',
        tags: ['session'],
        response: { 200: MeResponse, ...errorResponses },
      },
    },
    async (request) => {
      const s = await requireSignedIn(request);
      const roles = await app.services.credentials.rolesFor(s.userName);
      return {
        user: { userName: s.userName, accountId: s.accountId, isAdmin: s.isAdmin },
        session: { expiresAt: s.expiresAt },
        roles: roles.map((role) => ({
          alias: role.alias,
          roleArn: role.roleArn,
          roleName: role.roleName,
          accountId: role.accountId,
          accountAlias: role.accountAlias,
          description: role.description,
          maxDurationSeconds: role.maxDurationSeconds,
          defaultDurationSeconds: Math.min(3600, role.maxDurationSeconds),
          mfaMaxAgeSeconds: role.mfaMaxAgeSeconds,
          lastUsedAt: role.lastUsedAt,
          consoleMaxSecondsWithCode: role.consoleMaxSecondsWithCode,
        })),
      };
    },
  );

  app.post(
    '/api/v1/session/credentials',
    {
      config: { issuancePath: 'session_token' },
      schema: {
        summary: "The signed-in user's own MFA session credentials (the get-session-token flow)",
        tags: ['session'],
        body: SessionCredentialsRequest,
        response: { ...credentialResponses, ...errorResponses },
      },
    },
    async (request, reply) => {
      const s = await requireSignedInWithCsrf(request);
      const format = request.body.format ?? 'json';
      const profile = request.body.profile ? { profile: request.body.profile } : {};
      const issued = await app.services.credentials.sessionCredentials({
        mfaSessionId: s.mfaSessionId,
        render: { format, ...profile },
        origin: originOf(request),
      });
      return sendCredentials(reply, issued, format, {
        ...profile,
        download: isFlagSet(request.body.download),
      });
    },
  );
};

export default sessionRoutes;
