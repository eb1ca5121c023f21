import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { portalAwsError } from '../services/aws-error-mapping.ts';
import { requireAdmin } from './admin-guard.ts';
import { Enrollment, EnrollRequest, SetupLink, UserParams } from './admin-schemas.ts';
import { CliTokenItem, CliTokenList, cliTokenItem, EndedSessions, TokenId } from './cli-token-schemas.ts';
import { originOf } from './request-origin.ts';
import type { RouteTypeProvider } from './route-type-provider.ts';
import { errorResponses, UserName } from './schemas.ts';

/**
 * Remediation from the dashboard: MFA setup links for users without MFA, enrollment in the
 * portal and unenrollment, and a user's CLI tokens.
 */
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
      return reply.code(201).send({
        userName: enrolled.userName,
        accountId: enrolled.accountId,
        mfaSerial: enrolled.mfaSerial,
        mfaSerialPinned: enrolled.mfaSerialPinned,
        issuePath: enrolled.issuePath,
        keysWorkWithoutMfa: enrolled.keysWorkWithoutMfa,
        enrolledAt: enrolled.enrolledAt,
        lastSignInAt: enrolled.lastSignInAt,
      });
    },
  );

  app.delete(
    '/api/v1/admin/users/:userName/enrollment',
    {
      schema: {
        summary: "Unenroll a user: delete the portal's key in IAM and end their sessions and CLI tokens at once",
        tags,
        params: UserParams,
        response: {
          200: Type.Object({ userName: Type.String(), accessKeyId: Type.String(), ended: EndedSessions }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const removed = await app.services.custody
        .unenroll(request.params.userName, { actor: request.session.userName!, origin: originOf(request) })
        .catch((error: unknown) => {
          throw portalAwsError(error, 'delete access keys of users (iam:DeleteAccessKey)');
        });
      return { userName: removed.userName, accessKeyId: removed.accessKeyId, ended: removed.ended };
    },
  );

  app.get(
    '/api/v1/admin/users/:userName/cli-tokens',
    {
      schema: {
        summary: "A user's credential_process tokens, newest first",
        tags,
        params: UserParams,
        response: { 200: CliTokenList, ...errorResponses },
      },
    },
    async (request) => {
      const tokens = await app.services.cliTokens.listOf(request.params.userName);
      return { tokens: tokens.map(cliTokenItem) };
    },
  );

  app.delete(
    '/api/v1/admin/users/:userName/cli-tokens/:tokenId',
    {
      schema: {
        summary: "Revoke a user's token: its next use gets 401 invalid_token",
        tags,
        params: Type.Object({ userName: UserName, tokenId: TokenId }),
        response: { 200: CliTokenItem, ...errorResponses },
      },
    },
    async (request) => {
      const revoked = await app.services.cliTokens.revoke({
        userName: request.params.userName,
        tokenId: request.params.tokenId,
        by: { actor: request.session.userName!, origin: originOf(request) },
      });
      return cliTokenItem(revoked);
    },
  );
};

export default adminUserRoutes;
