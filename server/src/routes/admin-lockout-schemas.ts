import { type Static, Type } from 'typebox';
import { BUDGET_NAMES } from '../services/abuse/attempt-budgets.ts';
import { DateTime, Nullable } from './schemas.ts';

/** The contract of admin-lockout-routes.ts: spent MFA attempt budgets, and lifting one. */

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

export const LockoutList = Type.Object({ lockouts: Type.Array(LockoutBody) });
export type LockoutList = Static<typeof LockoutList>;

export const LockoutKeyParams = Type.Object({ key: Type.String({ minLength: 3, maxLength: 160 }) });
