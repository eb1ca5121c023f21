import { type Static, Type } from 'typebox';

/**
 * Shared pieces of the route schemas. Every string has a maximum length.
 *
 * The route schemas are the API contract: each exports its static type beside it, and web/, e2e/
 * and the tests import those types type-only (erased at build), so nothing restates a shape.
 */

export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

/**
 * A point in time: an ISO 8601 string on the wire. Routes return a Date (Fastify's serializer
 * writes date-time values as ISO strings); the codec only says so to the type checker, so the
 * static type is `string` for clients and `Date` for the routes (see route-type-provider.ts).
 */
export const DateTime = Type.Codec(Type.String({ format: 'date-time' }))
  .Decode((value: string) => new Date(value))
  .Encode((value: Date) => value.toISOString());

export const Cursor = Type.String({ minLength: 1, maxLength: 200, description: 'nextCursor from the previous page' });

export const UserName = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[\\w+=,.@-]+$',
  description: 'IAM user name',
});
export const MfaCode = Type.String({
  minLength: 6,
  maxLength: 16,
  description: '6-digit code from the MFA device (spaces tolerated)',
});
export const RoleAlias = Type.String({
  minLength: 1,
  maxLength: 64,
  description: "The role's alias in the portal's catalog",
});
export const DurationSeconds = Type.Integer({ minimum: 1, maximum: 129600, description: 'Session length in seconds' });
export const ProfileName = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9_.@+=,][A-Za-z0-9_.@+=,-]*$',
  description:
    'Profile name for the credentials/config formats: letters, digits and _ . @ + = , - (not starting with -)',
});
export const Flag = Type.Union([Type.Boolean(), Type.Literal('1'), Type.Literal('0')]);

export const ErrorBody = Type.Object({
  error: Type.String({ description: 'Stable error code' }),
  message: Type.String(),
  requestId: Type.String(),
});
export type ErrorBody = Static<typeof ErrorBody>;

export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  429: ErrorBody,
  503: ErrorBody,
};

/** A 204 answer: no body. */
export const NoContent = Type.Null({ description: 'No content' });

export const isFlagSet = (value: boolean | '1' | '0' | undefined) => value === true || value === '1';

export const ProductInfo = Type.Object({ name: Type.String(), version: Type.String() });
export type ProductInfo = Static<typeof ProductInfo>;

export const HealthStatus = Type.Object({ status: Type.String() });
