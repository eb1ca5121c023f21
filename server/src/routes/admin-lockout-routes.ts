import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { type Static, Type } from 'typebox';
import { BUDGET_NAMES } from '../services/abuse/attempt-budgets.ts';
import type { Lockout } from '../services/abuse/attempt-limiter.ts';
import { requireAdmin } from './admin-guard.ts';
import { DateTime, iso, Nullable } from './admin-schemas.ts';
import { originOf } from './request-origin.ts';
import { errorResponses } from './schemas.ts';

export const LockoutBody = Type.Object({
  key: Type.String({ description: 'Identifies the lockout; pass it to DELETE to lift it' }),
  budget: Type.Enum(BUDGET_NAMES, {
    description:
      'user_address: one user name from one address; user: one user name from all addresses; address: one address for all user names',
  }),
  userName: Nullable(Type.String({ description: 'Lower-cased, as counted' })),
  sourceIp: Nullable(Type.String()),
  failures: Type.Integer({ description: 'Attempts counted in this window' }),
  limit: Type.Integer(),
  refusals: Type.Integer({ description: 'Requests refused since the budget ran out (only the first is audited)' }),
  windowStart: DateTime,
  endsAt: DateTime,
  blockedAt: Nullable(DateTime),
});
export type LockoutBody = Static<typeof LockoutBody>;

const KeyParams = Type.Object({ key: Type.String({ minLength: 3, maxLength: 160 }) });

function lockoutBody(lockout: Lockout): LockoutBody {
  return {
    key: lockout.key,
    budget: lockout.budget,
    userName: lockout.userName,
    sourceIp: lockout.sourceIp,
    failures: lockout.failures,
    limit: lockout.limit,
    refusals: lockout.refusals,
    windowStart: lockout.windowStart.toISOString(),
    endsAt: lockout.endsAt.toISOString(),
    blockedAt: iso(lockout.blockedAt),
  };
}

/** MFA attempt budgets that are spent: who is locked out, and lifting a lockout (audited). */
const adminLockoutRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', requireAdmin);
  const tags = ['admin: lockouts'];

  app.get(
    '/api/v1/admin/lockouts',
    {
      schema: {
        summary: 'MFA attempt budgets spent in their current window',
        tags,
        response: { 200: Type.Object({ lockouts: Type.Array(LockoutBody) }), ...errorResponses },
      },
    },
    async (_request, reply) =>
      reply.header('cache-control', 'no-store').send({
        lockouts: (await app.services.lockouts.list()).map(lockoutBody),
      }),
  );

  app.delete(
    '/api/v1/admin/lockouts/:key',
    {
      schema: {
        summary: 'Lift a lockout: its counter starts from zero (audited)',
        tags,
        params: KeyParams,
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
