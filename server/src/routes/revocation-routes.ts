import type { FastifyPluginAsync } from 'fastify';
import type { StaticDecode } from 'typebox';
import { requireSignedIn, requireSignedInWithCsrf } from '../plugins/web-session.ts';
import { portalAwsError } from '../services/aws-error-mapping.ts';
import type { Revocation, RevokeResult } from '../services/revocation/aws-revocation-service.ts';
import { requireAdmin } from './admin-guard.ts';
import { UserParams } from './admin-schemas.ts';
import { originOf } from './request-origin.ts';
import {
  ApplyReport,
  OffboardRequest,
  OffboardResponse,
  OutstandingCredentials,
  type RevocationBody,
  RevocationList,
  RevokeResponse,
} from './revocation-schemas.ts';
import type { RouteTypeProvider } from './route-type-provider.ts';
import { errorResponses, isFlagSet } from './schemas.ts';

const revocationBody = (r: Revocation): StaticDecode<typeof RevocationBody> => ({
  userName: r.userName,
  sourceIdentity: r.sourceIdentity,
  revokedBefore: r.revokedAt,
  expiresAt: r.expiresAt,
  revokedBy: r.revokedBy,
});

const revokeBody = (result: RevokeResult): StaticDecode<typeof RevokeResponse> => ({
  revocation: revocationBody(result.revocation),
  ended: result.ended,
  applied: result.applied,
});

const PERMISSIONS = 'put inline policies on roles and users (iam:PutRolePolicy, iam:PutUserPolicy)';

/** Admins: revoke a person's AWS sessions, offboard them. Everyone: their own outstanding credentials. */
const revocationRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<RouteTypeProvider>();
  const tags = ['admin: revocation'];

  await app.register(async (admin) => {
    const a = admin.withTypeProvider<RouteTypeProvider>();
    a.addHook('onRequest', requireAdmin);

    a.post(
      '/api/v1/admin/users/:userName/aws-sessions/revoke',
      {
        schema: {
          summary: "End the user's outstanding AWS credentials on every catalog role, and their portal sessions",
          description:
            'Credentials issued to the user before now are denied (inline policies on every catalog role and on the IAM user); credentials issued afterwards work. `applied.complete` is false when a role or user could not be changed: each target says why.',
          tags,
          params: UserParams,
          response: { 200: RevokeResponse, ...errorResponses },
        },
      },
      async (request) => {
        const result = await app.services.awsRevocation
          .revoke(request.params.userName, { actor: request.session.userName!, origin: originOf(request) })
          .catch((error: unknown) => {
            throw portalAwsError(error, PERMISSIONS);
          });
        return revokeBody(result);
      },
    );

    a.get(
      '/api/v1/admin/aws-revocations',
      {
        schema: {
          summary: 'People whose AWS sessions are revoked, until their entries expire',
          tags,
          response: { 200: RevocationList, ...errorResponses },
        },
      },
      async () => ({ revocations: (await app.services.awsRevocation.list()).map(revocationBody) }),
    );

    a.post(
      '/api/v1/admin/aws-revocations/apply',
      {
        schema: {
          summary: 'Write the revocation policies to every catalog role and user again (after a failure)',
          tags,
          response: { 200: ApplyReport, ...errorResponses },
        },
      },
      async (request) => {
        const report = await app.services.awsRevocation.apply().catch((error: unknown) => {
          throw portalAwsError(error, PERMISSIONS);
        });
        await app.services.awsRevocation.recordApply(
          report,
          { actor: request.session.userName!, origin: originOf(request) },
          null,
        );
        return report;
      },
    );

    a.post(
      '/api/v1/admin/users/:userName/offboard',
      {
        schema: {
          summary: 'Offboard a user: end portal sessions, revoke AWS sessions, delete the portal-held key',
          description:
            'Each step is audited; running it again resumes an unfinished offboarding. Deactivating the user’s other access keys and MFA devices happens only when asked.',
          tags,
          params: UserParams,
          body: OffboardRequest,
          response: { 200: OffboardResponse, ...errorResponses },
        },
      },
      async (request) => {
        const body = request.body ?? {};
        return app.services.offboarding
          .offboard(
            request.params.userName,
            {
              deactivateOtherKeys: isFlagSet(body.deactivateOtherKeys),
              deactivateMfaDevices: isFlagSet(body.deactivateMfaDevices),
            },
            { actor: request.session.userName!, origin: originOf(request) },
          )
          .catch((error: unknown) => {
            throw portalAwsError(error, `${PERMISSIONS} and delete access keys (iam:DeleteAccessKey)`);
          });
      },
    );
  });

  app.get(
    '/api/v1/me/credentials',
    {
      schema: {
        summary: 'Your AWS credentials from the portal that may still be valid (from the audit log)',
        tags: ['session'],
        response: { 200: OutstandingCredentials, ...errorResponses },
      },
    },
    async (request) => {
      const s = await requireSignedIn(request);
      const credentials = await app.services.awsRevocation.outstandingOf(s.userName);
      return {
        credentials: credentials.map((c) => ({
          auditSeq: c.auditSeq,
          issuedAt: c.issuedAt ?? c.time,
          expiresAt: c.expiresAt,
          accessKeyId: c.accessKeyId,
          roleArn: c.roleArn,
          roleAlias: c.roleAlias,
          via: c.via,
          sourceIp: c.sourceIp,
          revoked: c.revoked,
        })),
      };
    },
  );

  app.post(
    '/api/v1/me/aws-sessions/revoke',
    {
      schema: {
        summary: 'Revoke all your AWS credentials from the portal ("I lost my laptop"); you are signed out',
        tags: ['session'],
        response: { 200: RevokeResponse, ...errorResponses },
      },
    },
    async (request) => {
      const s = await requireSignedInWithCsrf(request);
      const result = await app.services.awsRevocation
        .revoke(s.userName, { actor: s.userName, origin: originOf(request) })
        .catch((error: unknown) => {
          throw portalAwsError(error, PERMISSIONS);
        });
      return revokeBody(result);
    },
  );
};

export default revocationRoutes;
