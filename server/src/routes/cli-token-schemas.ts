import { type Static, type StaticDecode, Type } from 'typebox';
import type { CliTokenSummary } from '../services/cli-tokens/cli-token-service.ts';
import { DateTime, Nullable } from './schemas.ts';

/** The schemas of the token and sign-out routes, shared by the owner's and the admins' routes. */
export const TokenId = Type.String({
  minLength: 36,
  maxLength: 36,
  pattern: '^[0-9a-f-]{36}$',
  description: "The token's id (never the token itself)",
});

export const CliTokenItem = Type.Object({
  id: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('revoked'), Type.Literal('expired')]),
  createdAt: DateTime,
  expiresAt: DateTime,
  lastUsedAt: Nullable(DateTime),
  revokedAt: Nullable(DateTime),
  sourceIp: Nullable(Type.String({ description: 'Address the token was created from' })),
  userAgent: Nullable(Type.String({ description: 'User agent that created the token' })),
});
export type CliTokenItem = Static<typeof CliTokenItem>;

export const CliTokenList = Type.Object({ tokens: Type.Array(CliTokenItem) });
export type CliTokenList = Static<typeof CliTokenList>;

export const EndedSessions = Type.Object({
  webSessions: Type.Integer(),
  mfaSessions: Type.Integer(),
  cliTokens: Type.Integer(),
});
export type EndedSessions = Static<typeof EndedSessions>;

export function cliTokenItem(token: CliTokenSummary): StaticDecode<typeof CliTokenItem> {
  return {
    id: token.id,
    status: token.status,
    createdAt: token.createdAt,
    expiresAt: token.expiresAt,
    lastUsedAt: token.lastUsedAt,
    revokedAt: token.revokedAt,
    sourceIp: token.sourceIp,
    userAgent: token.userAgent,
  };
}
