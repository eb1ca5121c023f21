import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.ts';
import { forbidden, unauthorized } from '../errors/app-error.ts';
import { requireSignedIn, requireSignedInWithCsrf } from '../plugins/web-session.ts';
import type { ConsoleAuth, ConsoleRequest } from '../services/console/console-sign-in-service.ts';
import { ConsoleForm, ConsoleQuery, consoleResponses } from './console-schemas.ts';
import { portalTokenOf } from './portal-token.ts';
import { originOf, portalUrlOf } from './request-origin.ts';
import type { RouteTypeProvider } from './route-type-provider.ts';
import { errorResponses } from './schemas.ts';

/** Fetch metadata of a navigation the portal's own pages started (or one typed in the address bar). */
const OWN_NAVIGATION = new Set(['same-origin', 'none']);

/**
 * "Open console": 302 to the AWS federation login. GET for links (the session cookie is
 * SameSite=Strict, so another site's link arrives without it; fetch metadata from another site
 * is refused too) and for scripts with a portal token; POST for a fresh code, from scripts
 * (`userName` + `code`) or the web app's form (cookie + CSRF token). The Location is a one-time
 * console secret: it is sent once, never logged, and the answer is not cacheable.
 */
const consoleRoutes: FastifyPluginAsync<{ config: Config }> = async (fastify, { config }) => {
  const app = fastify.withTypeProvider<RouteTypeProvider>();

  function destinationOf(input: ConsoleQuery, request: FastifyRequest): Omit<ConsoleRequest, 'auth'> {
    return {
      roleAlias: input.role,
      ...(input.region !== undefined ? { region: input.region } : {}),
      ...(input.service !== undefined ? { service: input.service } : {}),
      ...(input.durationSeconds !== undefined ? { durationSeconds: input.durationSeconds } : {}),
      portalUrl: portalUrlOf(request, config.publicUrl),
      origin: originOf(request),
    };
  }

  async function redirect(reply: FastifyReply, request: ConsoleRequest): Promise<FastifyReply> {
    const { location } = await app.services.consoleSignIn.openConsole(request);
    return reply.header('cache-control', 'no-store').redirect(location, 302);
  }

  app.get(
    '/api/v1/console',
    {
      schema: {
        summary: 'Open the AWS console as a catalog role (302 to the AWS federation login)',
        tags: ['console'],
        querystring: ConsoleQuery,
        security: [{ bearerAuth: [] }, {}],
        response: { ...consoleResponses, ...errorResponses },
      },
    },
    async (request, reply) => {
      const token = portalTokenOf(request);
      let auth: ConsoleAuth;
      if (token !== undefined) auth = { kind: 'token', token };
      else {
        const site = request.headers['sec-fetch-site'];
        if (typeof site === 'string' && !OWN_NAVIGATION.has(site))
          throw forbidden('cross_site_request', 'Open the console from the portal itself.');
        const s = await requireSignedIn(request);
        auth = { kind: 'session', mfaSessionId: s.mfaSessionId, userName: s.userName };
      }
      return redirect(reply, { ...destinationOf(request.query, request), auth });
    },
  );

  app.post(
    '/api/v1/console',
    {
      schema: {
        summary: 'Open the AWS console with a fresh MFA code (longer sessions than role chaining allows)',
        tags: ['console'],
        body: ConsoleForm,
        response: { ...consoleResponses, ...errorResponses },
      },
    },
    async (request, reply) => {
      const body = request.body;
      let auth: ConsoleAuth;
      if (body.userName !== undefined) {
        if (body.code === undefined)
          throw unauthorized('invalid_mfa_code', 'Send the MFA code (`code`) with the user name.');
        auth = { kind: 'code', userName: body.userName, code: body.code };
      } else {
        const s = await requireSignedInWithCsrf(request, body.csrfToken ?? request.headers['x-csrf-token']);
        auth =
          body.code !== undefined
            ? { kind: 'code', userName: s.userName, code: body.code }
            : { kind: 'session', mfaSessionId: s.mfaSessionId, userName: s.userName };
      }
      return redirect(reply, { ...destinationOf(body, request), auth });
    },
  );
};

export default consoleRoutes;
