import type { FastifyPluginAsync } from 'fastify';
import { type StaticDecode, Type } from 'typebox';
import type { Lockout } from '../services/abuse/attempt-limiter.ts';
import { requireAdmin } from './admin-guard.ts';
import { type LockoutBody, LockoutKeyParams, LockoutList } from './admin-lockout-schemas.ts';
import { originOf } from './request-origin.ts';
import type { RouteTypeProvider } from './route-type-provider.ts';
import { errorResponses } from './schemas.ts';

function lockoutBody(lockout: Lockout): StaticDecode<typeof LockoutBody> {
  return {
    key: lockout.key,
    budget: lockout.budget,
    userName: lockout.userName,
    sourceIp: lockout.sourceIp,
    failures: lockout.failures,
    limit: lockout.limit,
    refusals: lockout.refusals,
    windowStart: lockout.windowStart,
    endsAt: lockout.endsAt,
    blockedAt: lockout.blockedAt,
  };
}

/** MFA attempt budgets that are spent: who is locked out, and lifting a lockout (audited). */
const adminLockoutRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<RouteTypeProvider>();
  app.addHook('onRequest', requireAdmin);
  const tags = ['admin: lockouts'];

  app.get(
    '/api/v1/admin/lockouts',
    {
      schema: {
        summary: 'MFA attempt budgets spent in their current window',
        tags,
        response: { 200: LockoutList, ...errorResponses },
      },
    },
    async () => ({ lockouts: (await app.services.lockouts.list()).map(lockoutBody) }),
  );

  app.delete(
    '/api/v1/admin/lockouts/:key',
    {
      schema: {
        summary: 'Lift a lockout: its counter starts from zero (audited)',
        tags,
        params: LockoutKeyParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await app.services.lockouts.lift({
        key: request.params.key,
        admin: request.session.userName!,
        origin: originOf(request),
      });
      return reply.code(204).send(null);
    },
  );
};

export default adminLockoutRoutes;
