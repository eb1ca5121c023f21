import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { badRequest } from '../errors/app-error.ts';
import {
  AlertDeliveryList,
  CisCheckParams,
  CisFailingPage,
  CisFailingQuery,
  CisResults,
  Exemption,
  ExemptionList,
  ExemptionRequest,
  ForceMfaPolicy,
  RemediationUserParams,
  RequireMfaRequest,
  RequireMfaResult,
} from './admin-cis-schemas.ts';
import { requireAdmin } from './admin-guard.ts';
import { originOf } from './request-origin.ts';
import type { RouteTypeProvider } from './route-type-provider.ts';
import { errorResponses } from './schemas.ts';

/** CIS checks, "Require MFA for this user's keys", exemptions and alert deliveries. */
const adminCisRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<RouteTypeProvider>();
  app.addHook('onRequest', requireAdmin);
  const tags = ['admin: compliance'];
  const by = (request: Parameters<typeof originOf>[0] & { session: { userName?: string | undefined } }) => ({
    actor: request.session.userName!,
    origin: originOf(request),
  });

  app.get(
    '/api/v1/admin/compliance/cis',
    {
      schema: {
        summary: 'CIS AWS Foundations identity checks (and the portal’s own), pass/fail, from the latest scan',
        tags,
        response: { 200: CisResults, ...errorResponses },
      },
    },
    async () => app.services.cis.results(),
  );

  app.get(
    '/api/v1/admin/compliance/cis/:check',
    {
      schema: {
        summary: 'Who fails one check, with since when (the first scan that saw it)',
        tags,
        params: CisCheckParams,
        querystring: CisFailingQuery,
        response: { 200: CisFailingPage, ...errorResponses },
      },
    },
    async (request) => ({
      check: request.params.check,
      ...(await app.services.cis.failing(request.params.check, request.query)),
    }),
  );

  app.get(
    '/api/v1/admin/remediation/force-mfa-policy',
    {
      schema: {
        summary: 'The force-MFA policy document the portal creates (to review before applying)',
        tags,
        response: { 200: ForceMfaPolicy, ...errorResponses },
      },
    },
    async () => app.services.remediation.policy(),
  );

  app.post(
    '/api/v1/admin/users/:userName/require-mfa',
    {
      schema: {
        summary: "Attach the force-MFA policy to the user or one of their groups, then re-check the user's keys",
        tags,
        params: RemediationUserParams,
        body: RequireMfaRequest,
        response: { 200: RequireMfaResult, ...errorResponses },
      },
    },
    async (request) => {
      const { target, groupName } = request.body;
      if (target === 'group' && !groupName)
        throw badRequest('invalid_request', 'Name the group to attach the policy to.');
      return app.services.remediation.requireMfa(
        request.params.userName,
        target === 'group' ? { kind: 'group', groupName: groupName! } : { kind: 'user' },
        by(request),
      );
    },
  );

  app.get(
    '/api/v1/admin/compliance/exemptions',
    {
      schema: {
        summary:
          'Users exempt from "keys work without MFA" (expired ones too, until removed), with what the latest scan says of their keys',
        tags,
        response: { 200: ExemptionList, ...errorResponses },
      },
    },
    async () => app.services.cis.exemptions(),
  );

  app.put(
    '/api/v1/admin/compliance/exemptions/:userName',
    {
      schema: {
        summary: 'Exempt a service identity from "keys work without MFA", with a reason and an expiry (audited)',
        tags,
        params: RemediationUserParams,
        body: ExemptionRequest,
        response: { 200: Exemption, ...errorResponses },
      },
    },
    async (request) => {
      const expiresAt = new Date(request.body.expiresAt);
      if (Number.isNaN(expiresAt.getTime())) throw badRequest('invalid_expiry', 'expiresAt must be an ISO 8601 time.');
      const row = await app.services.cis.exempt(
        { userName: request.params.userName, reason: request.body.reason, expiresAt },
        by(request),
      );
      return { ...row, active: true };
    },
  );

  app.delete(
    '/api/v1/admin/compliance/exemptions/:userName',
    {
      schema: {
        summary: 'End an exemption (audited)',
        tags,
        params: RemediationUserParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await app.services.cis.removeExemption(request.params.userName, by(request));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/admin/alerts/deliveries',
    {
      schema: {
        summary: 'Recent alert deliveries to the configured webhooks, newest first',
        tags,
        response: { 200: AlertDeliveryList, ...errorResponses },
      },
    },
    async () => ({
      deliveries: (await app.services.alerts.deliveries()).map((d) => ({
        ...d,
        status: d.status as 'pending' | 'delivered' | 'failed',
      })),
    }),
  );
};

export default adminCisRoutes;
