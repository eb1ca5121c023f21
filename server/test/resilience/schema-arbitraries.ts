import fc from 'fast-check';

/** A JSON schema as @fastify/swagger writes it into the OpenAPI document (the subset routes use). */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
}

/** Strings that break parsers, logs, headers, paths and databases. */
export const HOSTILE_STRINGS = [
  '',
  ' ',
  'x'.repeat(70_000),
  'é'.repeat(5_000),
  '\u0000',
  'a\u0000b',
  'line\r\nX-Injected: 1',
  '\r\n\r\nHTTP/1.1 200 OK',
  '../../../../etc/passwd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '%00',
  '%',
  '%zz',
  '/api/v1/admin/users',
  '\\\\server\\share',
  '<script>alert(1)</script>',
  "' OR '1'='1",
  '"; DROP TABLE "AuditEvent"; --',
  '${jndi:ldap://x}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  '\uD800',
  '\uFEFF\u202E\u200B',
  '🙂'.repeat(100),
  "=cmd|' /C calc'!A0",
  '-1',
  '1e400',
  'NaN',
  'null',
  'true',
  '[]',
  '{}',
  'arn:aws:iam::111111111111:role/Admin',
  '000000',
  '9'.repeat(40),
];

export const hostileString = fc.constantFrom(...HOSTILE_STRINGS);

/** Any JSON value, including ones of the wrong type for the field. */
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  hostileString,
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
);

function stringFor(schema: JsonSchema): fc.Arbitrary<string> {
  const valid = fc.string({
    minLength: schema.minLength ?? 0,
    maxLength: Math.min(schema.maxLength ?? 64, 256),
    unit: 'grapheme',
  });
  const edges = fc.constantFrom(
    'x'.repeat(schema.maxLength ?? 64),
    'x'.repeat((schema.maxLength ?? 64) + 1),
    'alice',
    'readonly',
    'carol',
  );
  return fc.oneof(
    { weight: 3, arbitrary: valid },
    { weight: 2, arbitrary: hostileString },
    { weight: 1, arbitrary: edges },
  );
}

/**
 * Values for a schema: mostly what it describes (so requests get past validation and reach the
 * services), often hostile strings, sometimes values of the wrong type.
 */
export function arbitraryFor(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return wrongValue;
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants?.length) return fc.oneof(...variants.map((s) => arbitraryFor(s, depth + 1)));
  if (schema.allOf?.length) return arbitraryFor(schema.allOf[0], depth + 1);
  const typed = (arb: fc.Arbitrary<unknown>) =>
    fc.oneof({ weight: 8, arbitrary: arb }, { weight: 1, arbitrary: wrongValue });
  if (schema.const !== undefined) return typed(fc.constant(schema.const));
  if (schema.enum?.length) return typed(fc.constantFrom(...schema.enum));
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'string':
      return typed(stringFor(schema));
    case 'integer':
      return typed(
        fc.oneof(
          fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 }),
          fc.constantFrom(-1, 0, Number.MAX_SAFE_INTEGER, (schema.maximum ?? 0) + 1),
        ),
      );
    case 'number':
      return typed(fc.double({ noNaN: true }));
    case 'boolean':
      return typed(fc.boolean());
    case 'array':
      return typed(fc.array(arbitraryFor(schema.items, depth + 1), { maxLength: Math.min(schema.maxItems ?? 5, 5) }));
    case 'object': {
      const properties = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const record = fc.record(
        Object.fromEntries(Object.entries(properties).map(([key, s]) => [key, arbitraryFor(s, depth + 1)])),
        { requiredKeys: Object.keys(properties).filter((k) => required.has(k)) },
      );
      const withExtra = fc
        .tuple(record, fc.constantFrom('__proto__', 'constructor', 'extra', 'userName'), wrongValue)
        .map(([r, key, value]) => ({ ...r, [key]: value }));
      return fc.oneof(
        { weight: 6, arbitrary: record },
        { weight: 1, arbitrary: withExtra },
        { weight: 1, arbitrary: wrongValue },
      );
    }
    default:
      return wrongValue;
  }
}
