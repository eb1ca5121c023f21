import type { FastifyPluginAsync } from 'fastify';
import { portalAwsError } from '../services/aws-error-mapping.ts';
import { requireAdmin } from './admin-guard.ts';
import { Enrollment, EnrollRequest, SetupLink, UserParams } from './admin-schemas.ts';
import { originOf } from './request-origin.ts';
import type { RouteTypeProvider } from './route-type-provider.ts';
import { errorResponses } from './schemas.ts';

/** Remediation from the dashboard: MFA setup links for users without MFA, and enrollment in the portal. */
const adminUserRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<RouteTypeProvider>();
  app.addHook('onRequest', requireAdmin);
  const tags = ['admin: users'];

  app.post(
    '/api/v1/admin/users/:userName/mfa-setup-links',
    {
      schema: {
        summary: 'Create a one-time link with which the user sets up a virtual MFA device',
        description:
          'The link (a web page; the token is in the URL fragment so it stays out of server logs) replaces any earlier link for the user.',
        tags,
        params: UserParams,
        response: { 201: SetupLink, ...errorResponses },
      },
    },
    async (request, reply) => {
      const link = await app.services.mfaSetup.createLink({
        userName: request.params.userName,
        admin: request.session.userName!,
        origin: originOf(request),
      });
      return reply.code(201).header('cache-control', 'no-store').send({ url: link.url, expiresAt: link.expiresAt });
    },
  );

  app.post(
    '/api/v1/admin/users/:userName/enroll',
    {
      schema: {
        summary: 'Enroll a user who has an MFA device: the portal creates and holds an access key for them',
        tags,
        params: UserParams,
        body: EnrollRequest,
        response: { 201: Enrollment, ...errorResponses },
      },
    },
    async (request, reply) => {
      const userName = request.params.userName;
      const enrolled = await app.services.custody
        .enroll(userName, {
          ...(request.body?.mfaSerial ? { mfaSerial: request.body.mfaSerial } : {}),
          actor: request.session.userName!,
          origin: originOf(request),
        })
        .catch((error: unknown) => {
          throw portalAwsError(error, 'create access keys for users (iam:CreateAccessKey, iam:ListMFADevices)');
        });
      await app.services.compliance.recordEnrolled(enrolled.userName);
      return reply.code(201).send({
        userName: enrolled.userName,
        accountId: enrolled.accountId,
        mfaSerial: enrolled.mfaSerial,
        issuePath: enrolled.issuePath,
        enrolledAt: enrolled.enrolledAt,
        lastSignInAt: enrolled.lastSignInAt,
      });
    },
  );
};

export default adminUserRoutes;
