import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { DateTime } from './admin-schemas.ts';
import { originOf } from './request-origin.ts';
import { errorResponses } from './schemas.ts';

const TokenParams = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 64, description: 'The token from the setup link' }),
});
const Code = Type.String({ minLength: 6, maxLength: 16, description: '6-digit code (spaces tolerated)' });

/**
 * The public side of MFA setup links: no sign-in (the person has no MFA yet), the link's token
 * is the credential. Responses carry the device secret, so nothing is cached.
 */
const mfaSetupRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
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
          200: Type.Object({
            userName: Type.String(),
            accountId: Type.String(),
            expiresAt: DateTime,
            serialNumber: Type.String(),
            secret: Type.String({ description: 'base32 secret for typing into an authenticator app' }),
            qrCodePng: Type.String({ description: 'data:image/png;base64,... of the otpauth:// URI' }),
          }),
          ...errorResponses,
          410: errorResponses[404],
        },
      },
    },
    async (request) => {
      const device = await app.services.mfaSetup.openLink(request.params.token, originOf(request));
      return { ...device, expiresAt: device.expiresAt.toISOString() };
    },
  );

  app.post(
    '/api/v1/mfa-setup/:token',
    {
      schema: {
        summary: 'Finish MFA setup with two consecutive codes; the link is then used up',
        tags,
        params: TokenParams,
        body: Type.Object({ code1: Code, code2: Code }, { additionalProperties: false }),
        response: {
          200: Type.Object({ userName: Type.String(), serialNumber: Type.String(), mfaEnabled: Type.Boolean() }),
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
