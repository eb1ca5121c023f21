import type { FastifyPluginAsync } from 'fastify';
import { SetupCodes, SetupDevice, SetupDone, TokenParams } from './mfa-setup-schemas.ts';
import { originOf } from './request-origin.ts';
import type { RouteTypeProvider } from './route-type-provider.ts';
import { errorResponses } from './schemas.ts';

/**
 * The public side of MFA setup links: no sign-in (the person has no MFA yet), the link's token
 * is the credential. Responses carry the device secret, so nothing is cached.
 */
const mfaSetupRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<RouteTypeProvider>();
  const tags = ['mfa setup'];
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    reply.header('referrer-policy', 'no-referrer');
  });

  app.get(
    '/api/v1/mfa-setup/:token',
    {
      schema: {
        summary: 'Open a setup link: the user name, and the new virtual MFA device as a QR code and secret',
        tags,
        params: TokenParams,
        response: {
          200: SetupDevice,
          ...errorResponses,
          410: errorResponses[404],
        },
      },
    },
    async (request) => app.services.mfaSetup.openLink(request.params.token, originOf(request)),
  );

  app.post(
    '/api/v1/mfa-setup/:token',
    {
      schema: {
        summary: 'Finish MFA setup with two consecutive codes; the link is then used up',
        tags,
        params: TokenParams,
        body: SetupCodes,
        response: {
          200: SetupDone,
          ...errorResponses,
          410: errorResponses[404],
        },
      },
    },
    async (request) => {
      const done = await app.services.mfaSetup.completeLink({
        token: request.params.token,
        ...request.body,
        origin: originOf(request),
      });
      return { ...done, mfaEnabled: true };
    },
  );
};

export default mfaSetupRoutes;
