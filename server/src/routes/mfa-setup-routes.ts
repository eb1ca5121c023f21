import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.ts';
import { OpenSetupLink, SetupCodes, SetupDevice, SetupDone } from './mfa-setup-schemas.ts';
import { originOf } from './request-origin.ts';
import type { RouteTypeProvider } from './route-type-provider.ts';
import { errorResponses } from './schemas.ts';

/** The HttpOnly cookie that binds a setup link to the browser that opened it first. */
export const SETUP_BINDING_COOKIE = 'portal_mfa_setup';
const COOKIE_PATH = '/api/v1/mfa-setup';

const bindingOf = (request: FastifyRequest): string | undefined => request.cookies[SETUP_BINDING_COOKIE];

/**
 * The public side of MFA setup links: no sign-in (the person has no MFA yet), the link's token
 * is the credential. The token travels in the body, never in a path or query that proxies log.
 * The first open binds the link to the browser with an HttpOnly cookie; opens and completions
 * without it are refused. Responses carry the device secret, so nothing is cached.
 */
const mfaSetupRoutes: FastifyPluginAsync<{ config: Config }> = async (fastify, { config }) => {
  const app = fastify.withTypeProvider<RouteTypeProvider>();
  const tags = ['mfa setup'];
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    reply.header('referrer-policy', 'no-referrer');
  });
  const bind = (request: FastifyRequest, reply: FastifyReply, binding: string, expiresAt: Date) =>
    reply.setCookie(SETUP_BINDING_COOKIE, binding, {
      path: COOKIE_PATH,
      httpOnly: true,
      sameSite: 'strict',
      secure: config.publicUrl?.startsWith('https://') === true || request.protocol === 'https',
      expires: expiresAt,
    });

  app.post(
    '/api/v1/mfa-setup/open',
    {
      schema: {
        summary:
          'Open a setup link: the user name, and the new virtual MFA device as a QR code and secret. The first open binds the link to this browser (cookie); other browsers get 403.',
        tags,
        body: OpenSetupLink,
        response: { 200: SetupDevice, ...errorResponses, 410: errorResponses[404] },
      },
    },
    async (request, reply) => {
      const opened = await app.services.mfaSetup.openLink(request.body.token, bindingOf(request), originOf(request));
      if (opened.binding) bind(request, reply, opened.binding, opened.device.expiresAt);
      return opened.device;
    },
  );

  app.post(
    '/api/v1/mfa-setup/complete',
    {
      schema: {
        summary:
          'Finish MFA setup with two consecutive codes, from the browser that opened the link; it is then used up',
        tags,
        body: SetupCodes,
        response: { 200: SetupDone, ...errorResponses, 410: errorResponses[404] },
      },
    },
    async (request) => {
      const done = await app.services.mfaSetup.completeLink({
        ...request.body,
        binding: bindingOf(request),
        origin: originOf(request),
      });
      return { ...done, mfaEnabled: true };
    },
  );
};

export default mfaSetupRoutes;
