import { timingSafeEqual } from 'node:crypto';
import { AwsError } from '../protocol/aws-error.ts';
import {
  ALGORITHM,
  type CredentialScope,
  canonicalRequest,
  signature as computeSignature,
  sha256Hex,
  stringToSign,
} from './canonical-request.ts';

/** A request as it came off the wire: what SigV4 is computed over. */
export interface WireRequest {
  method: string;
  rawPath: string;
  rawQuery: string;
  /** Header lines in arrival order (node's `rawHeaders` pairs), so repeated headers keep their values. */
  headers: ReadonlyArray<readonly [string, string]>;
  body: Uint8Array;
}

/** The signature claims of a request whose shape and clock checked out; not yet proven. */
export interface SignatureClaim {
  accessKeyId: string;
  scope: CredentialScope;
  signedHeaders: readonly string[];
  signature: string;
  amzDate: string;
  stringToSign: string;
  /** `X-Amz-Security-Token`, present only when the client also signed it. */
  signedSecurityToken: string | undefined;
  /** True when the header was sent, signed or not (a session key must sign it). */
  securityTokenSent: boolean;
}

/** AWS allows this much clock difference between signer and service. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

export const SIGNATURE_MISMATCH_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

export const signatureDoesNotMatch = (message = SIGNATURE_MISMATCH_MESSAGE): AwsError =>
  new AwsError('SignatureDoesNotMatch', message, 403);

const incompleteSignature = (message: string): AwsError => new AwsError('IncompleteSignature', message, 400);

export const missingAuthenticationToken = (): AwsError =>
  new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);

function header(request: WireRequest, name: string): string | undefined {
  const found = request.headers.filter(([n]) => n.toLowerCase() === name);
  return found.length === 0 ? undefined : found.map(([, v]) => v.trim()).join(',');
}

interface AuthorizationParts {
  credential: string;
  signedHeaders: string;
  signature: string;
}

function parseAuthorization(value: string): AuthorizationParts {
  const space = value.indexOf(' ');
  const algorithm = space < 0 ? value : value.slice(0, space);
  if (algorithm !== ALGORITHM) {
    throw incompleteSignature(`Unsupported AWS 'algorithm': '${algorithm}'. Use ${ALGORITHM}.`);
  }
  const fields = new Map<string, string>();
  for (const part of value.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((name) => !fields.get(name));
  if (missing.length > 0) {
    throw incompleteSignature(missing.map((name) => `Authorization header requires '${name}' parameter.`).join(' '));
  }
  return {
    credential: fields.get('Credential')!,
    signedHeaders: fields.get('SignedHeaders')!,
    signature: fields.get('Signature')!,
  };
}

function parseCredential(credential: string): { accessKeyId: string; scope: CredentialScope } {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts.some((p) => p === '')) {
    throw incompleteSignature(
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  }
  const [accessKeyId, date, region, service, terminator] = parts as [string, string, string, string, string];
  if (terminator !== 'aws4_request') {
    throw signatureDoesNotMatch(
      `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'.`,
    );
  }
  return { accessKeyId, scope: { date, region, service } };
}

/** `20150830T123600Z` -> Date, or undefined when it is not a valid basic ISO-8601 UTC time. */
export function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const date = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export const formatAmzDate = (date: Date): string =>
  date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/** Falls back to the HTTP `Date` header (RFC 1123), which SigV4 allows when X-Amz-Date is absent. */
function requestDate(request: WireRequest): { amzDate: string; time: Date } {
  const amz = header(request, 'x-amz-date');
  if (amz !== undefined) {
    const time = parseAmzDate(amz);
    if (!time)
      throw incompleteSignature(
        `Invalid X-Amz-Date '${amz}': expected an ISO-8601 basic UTC time such as 20150830T123600Z.`,
      );
    return { amzDate: amz, time };
  }
  const http = header(request, 'date');
  const time = http === undefined ? undefined : new Date(http);
  if (!time || Number.isNaN(time.getTime())) {
    throw incompleteSignature("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }
  return { amzDate: formatAmzDate(time), time };
}

function checkClock(amzDate: string, time: Date, now: Date): void {
  const skew = time.getTime() - now.getTime();
  if (skew < -MAX_CLOCK_SKEW_MS) {
    const limit = formatAmzDate(new Date(now.getTime() - MAX_CLOCK_SKEW_MS));
    throw signatureDoesNotMatch(
      `Signature expired: ${amzDate} is now earlier than ${limit} (${formatAmzDate(now)} - 15 min.)`,
    );
  }
  if (skew > MAX_CLOCK_SKEW_MS) {
    const limit = formatAmzDate(new Date(now.getTime() + MAX_CLOCK_SKEW_MS));
    throw signatureDoesNotMatch(
      `Signature not yet current: ${amzDate} is still later than ${limit} (${formatAmzDate(now)} + 15 min.)`,
    );
  }
}

/**
 * Checks everything about a header-signed request that does not need the secret: the header's
 * shape, the scope, the clock. Returns the claim to prove with `signatureMatches` once the caller
 * has looked the access key up.
 */
export function readSignatureClaim(request: WireRequest, now: Date): SignatureClaim {
  const authorization = header(request, 'authorization');
  if (authorization === undefined || authorization === '') throw missingAuthenticationToken();
  const parts = parseAuthorization(authorization);
  const { accessKeyId, scope } = parseCredential(parts.credential);
  const signedHeaders = parts.signedHeaders.split(';').map((name) => name.trim().toLowerCase());
  if (!signedHeaders.includes('host')) {
    throw signatureDoesNotMatch("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  const { amzDate, time } = requestDate(request);
  if (amzDate.slice(0, 8) !== scope.date) {
    throw signatureDoesNotMatch(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scope.date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    );
  }
  checkClock(amzDate, time, now);

  // The signature covers the body bytes as sent: the SDKs encode spaces as %20, botocore as '+',
  // so re-encoding parsed parameters would break one of them.
  const canonical = canonicalRequest({
    method: request.method,
    rawPath: request.rawPath,
    rawQuery: request.rawQuery,
    headers: request.headers,
    signedHeaders,
    payloadHash: sha256Hex(request.body),
  });
  const token = header(request, 'x-amz-security-token');
  return {
    accessKeyId,
    scope,
    signedHeaders,
    signature: parts.signature,
    amzDate,
    stringToSign: stringToSign(amzDate, scope, canonical),
    signedSecurityToken: token !== undefined && signedHeaders.includes('x-amz-security-token') ? token : undefined,
    securityTokenSent: token !== undefined,
  };
}

/** Recomputes the signature with the stored secret and compares in constant time. */
export function signatureMatches(claim: SignatureClaim, secretAccessKey: string): boolean {
  const expected = Buffer.from(computeSignature(secretAccessKey, claim.scope, claim.stringToSign), 'utf8');
  const given = Buffer.from(claim.signature, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
