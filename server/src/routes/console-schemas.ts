import { type Static, Type } from 'typebox';
import { CONSOLE_SERVICE_PATTERN, REGION_PATTERN } from '../services/console/console-destination.ts';
import { MfaCode, RoleAlias, UserName } from './schemas.ts';

/** The contract of console-routes.ts: "Open console" for a catalog role. */

const destination = {
  role: RoleAlias,
  region: Type.Optional(
    Type.String({ maxLength: 32, pattern: REGION_PATTERN, description: 'Console region (default: AWS_REGION)' }),
  ),
  service: Type.Optional(
    Type.String({
      maxLength: 32,
      pattern: CONSOLE_SERVICE_PATTERN,
      description: 'Console service to open, e.g. s3, ec2, iam (default: the console home)',
    }),
  ),
  durationSeconds: Type.Optional(
    Type.Integer({ minimum: 900, maximum: 43200, description: 'Console session length in seconds (900..43200)' }),
  ),
};

/** GET: the signed-in browser (cookie) or a script with a portal token (`Authorization: Bearer`). */
export const ConsoleQuery = Type.Object(destination, { additionalProperties: false });
export type ConsoleQuery = Static<typeof ConsoleQuery>;

/**
 * POST: a script with `userName` + `code`, or the browser's form ("with a new code") with the
 * session cookie and its CSRF token (`csrfToken` field, since an HTML form cannot set headers).
 */
export const ConsoleForm = Type.Object(
  {
    ...destination,
    userName: Type.Optional(UserName),
    code: Type.Optional(MfaCode),
    csrfToken: Type.Optional(Type.String({ maxLength: 128 })),
  },
  { additionalProperties: false },
);
export type ConsoleForm = Static<typeof ConsoleForm>;

export const consoleResponses = {
  302: Type.Null({ description: 'Location: the AWS federation login (a one-time secret: never log or share it)' }),
};
