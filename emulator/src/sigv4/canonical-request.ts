import { createHash, createHmac } from 'node:crypto';

/**
 * The pieces of AWS Signature Version 4 that both a signer and a verifier need: the canonical
 * request, the string to sign and the derived signing key. Pure functions, no I/O, so they can be
 * checked against AWS's documented example vectors.
 */

export const ALGORITHM = 'AWS4-HMAC-SHA256';

export interface CredentialScope {
  date: string; // YYYYMMDD
  region: string;
  service: string;
}

export interface CanonicalRequestInput {
  method: string;
  /** The request path exactly as it appeared on the wire (still percent-encoded). */
  rawPath: string;
  /** The query string as it appeared on the wire, without the leading '?'. */
  rawQuery: string;
  /** Every header line received, in order; names in any case. */
  headers: ReadonlyArray<readonly [string, string]>;
  /** Lower-case header names from the SignedHeaders component, in the order given. */
  signedHeaders: readonly string[];
  payloadHash: string;
}

export const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

const hmac = (key: string | Uint8Array, data: string): Buffer =>
  createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 percent-encoding as SigV4 defines it: everything but A-Z a-z 0-9 - _ . ~ is encoded. */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Decodes a percent-encoded component; malformed escapes are kept literally instead of throwing. */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Non-S3 services normalise the path and encode each segment again (the SDKs "double encode":
 * the wire path is already encoded once). STS and IAM only ever use "/", but a stray path must
 * still produce the canonical form the client signed.
 */
export function canonicalUri(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailingSlash = rawPath.endsWith('/') && segments.length > 0 ? '/' : '';
  return `/${segments.map(uriEncode).join('/')}${trailingSlash}`;
}

/** Query parameters decoded, re-encoded the SigV4 way and sorted by name, then by value. */
export function canonicalQueryString(rawQuery: string, omit: ReadonlySet<string> = new Set()): string {
  if (rawQuery === '') return '';
  const pairs: Array<[string, string]> = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = safeDecode(eq < 0 ? part : part.slice(0, eq));
    if (omit.has(name)) continue;
    const value = eq < 0 ? '' : safeDecode(part.slice(eq + 1));
    pairs.push([uriEncode(name), uriEncode(value)]);
  }
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

/** Trims a header value and collapses inner runs of whitespace, as SigV4 requires. */
const canonicalHeaderValue = (value: string): string => value.trim().replace(/\s+/g, ' ');

export function canonicalHeaders(headers: CanonicalRequestInput['headers'], signedHeaders: readonly string[]): string {
  const byName = new Map<string, string[]>();
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    let values = byName.get(lower);
    if (!values) {
      values = [];
      byName.set(lower, values);
    }
    values.push(canonicalHeaderValue(value));
  }
  // A signed header that was not sent canonicalises as empty: the signature then fails to match.
  return signedHeaders.map((name) => `${name}:${(byName.get(name) ?? []).join(',')}\n`).join('');
}

export function canonicalRequest(input: CanonicalRequestInput, omitQuery?: ReadonlySet<string>): string {
  return [
    input.method.toUpperCase(),
    canonicalUri(input.rawPath),
    canonicalQueryString(input.rawQuery, omitQuery),
    canonicalHeaders(input.headers, input.signedHeaders),
    input.signedHeaders.join(';'),
    input.payloadHash,
  ].join('\n');
}

export const scopeString = (scope: CredentialScope): string =>
  `${scope.date}/${scope.region}/${scope.service}/aws4_request`;

export function stringToSign(amzDate: string, scope: CredentialScope, canonical: string): string {
  return [ALGORITHM, amzDate, scopeString(scope), sha256Hex(canonical)].join('\n');
}

export function signingKey(secretAccessKey: string, scope: CredentialScope): Buffer {
  const kDate = hmac(`AWS4${secretAccessKey}`, scope.date);
  const kRegion = hmac(kDate, scope.region);
  const kService = hmac(kRegion, scope.service);
  return hmac(kService, 'aws4_request');
}

export function signature(secretAccessKey: string, scope: CredentialScope, toSign: string): string {
  return createHmac('sha256', signingKey(secretAccessKey, scope)).update(toSign, 'utf8').digest('hex');
}
