import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import { BLOCK_BEGIN as SERVER_BLOCK_BEGIN, BLOCK_END as SERVER_BLOCK_END } from '../server/src/formats/index.ts';
import { validateRoleAlias } from '../server/src/formats/render-input.ts';
import { MaxDuration } from '../server/src/routes/admin-schemas.ts';
import { DurationSeconds, MfaCode, RoleAlias, UserName } from '../server/src/routes/schemas.ts';
import { MIN_DURATION_SECONDS } from '../server/src/services/credentials/duration.ts';
import { normalizeCode } from '../server/src/services/sign-in/sign-in-service.ts';
import {
  BLOCK_BEGIN,
  BLOCK_END,
  DURATION_SECONDS,
  isRoleAlias,
  isUserName,
  MFA_CODE,
  NAME,
  normalizeMfaCode,
  ROLE_ALIAS,
  USER_NAME,
  VERSION,
} from './aws-mfa-portal-credentials.mjs';

// The helper refuses input before it reaches the portal; these prove it refuses exactly what
// the portal refuses, so a user never sees the helper reject what the portal would take (or send
// what the portal is sure to refuse). Importing the helper must not run its command line.

/** The JSON Schema keywords of a TypeBox schema (its TypeScript type does not list them). */
const keywords = (schema: object) =>
  schema as { minLength?: number; maxLength?: number; pattern?: string; minimum?: number; maximum?: number };

/** Edge cases around every rule: lengths, each allowed and many forbidden characters, case. */
const NAMES = [
  '',
  'a',
  'A',
  '0',
  'alice',
  'Alice.Smith@example.com',
  'ops+deploy=1,2',
  'under_score',
  'dash-ed',
  '-leading',
  '.leading',
  '_leading',
  'with space',
  'tab\tinside',
  'new\nline',
  'slash/inside',
  'colon:inside',
  'quote"inside',
  "apos'inside",
  'dollar$',
  'back`tick',
  'semi;colon',
  'ümlaut',
  'emoji😀',
  'x'.repeat(63),
  'x'.repeat(64),
  'x'.repeat(65),
  `${'x'.repeat(64)}\n`,
  'admin.prod',
  'ReadOnly',
];

describe('the credential helper follows the portal rules', () => {
  it('takes the user names the UserName schema takes', () => {
    expect(USER_NAME).toEqual({
      minLength: keywords(UserName).minLength,
      maxLength: keywords(UserName).maxLength,
      pattern: keywords(UserName).pattern,
    });
    for (const name of NAMES) expect([name, isUserName(name)]).toEqual([name, Value.Check(UserName, name)]);
  });

  it('takes the role aliases the RoleAlias schema and the catalog rule take', () => {
    expect(ROLE_ALIAS).toMatchObject({
      minLength: keywords(RoleAlias).minLength,
      maxLength: keywords(RoleAlias).maxLength,
    });
    for (const alias of NAMES) {
      const portal = Value.Check(RoleAlias, alias) && validateRoleAlias(alias) === null;
      expect([alias, isRoleAlias(alias)]).toEqual([alias, portal]);
    }
  });

  it('asks for durations a catalog role can allow, within the DurationSeconds schema', () => {
    expect(DURATION_SECONDS).toEqual({ minimum: MIN_DURATION_SECONDS, maximum: keywords(MaxDuration).maximum });
    expect(DURATION_SECONDS.minimum).toBeGreaterThanOrEqual(keywords(DurationSeconds).minimum ?? 0);
    expect(DURATION_SECONDS.maximum).toBeLessThanOrEqual(keywords(DurationSeconds).maximum ?? 0);
  });

  it('reads MFA codes as the sign-in service does, up to the MfaCode schema length', () => {
    expect(MFA_CODE.maxLength).toBe(keywords(MfaCode).maxLength);
    const codes = [
      '123456',
      ' 123456 ',
      '123 456',
      '12 34 56',
      '1 2 3 4 5 6',
      '12345',
      '1234567',
      '12345a',
      '',
      '123\t456',
    ];
    codes.push(`123456${' '.repeat(10)}`, `123456${' '.repeat(11)}`);
    for (const code of codes) {
      const portal = Value.Check(MfaCode, code) ? normalizeCode(code) : null;
      expect([code, normalizeMfaCode(code)]).toEqual([code, portal]);
    }
  });

  it('reports the package version', () => {
    expect(VERSION).toBe(packageJson.version);
    expect(NAME).toBe(Object.keys(packageJson.bin)[0]);
  });
});

describe('the managed ~/.aws/config block', () => {
  it('has the same marker lines in the helper (configure) and the portal (download)', () => {
    expect(BLOCK_BEGIN).toBe(SERVER_BLOCK_BEGIN);
    expect(BLOCK_END).toBe(SERVER_BLOCK_END);
  });
});
