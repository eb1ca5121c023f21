import { describe, expect, it } from 'vitest';
import {
  canonicalQueryString,
  canonicalRequest,
  canonicalUri,
  sha256Hex,
  signature,
  signingKey,
  stringToSign,
} from './canonical-request.ts';
import { readSignatureClaim, signatureMatches, type WireRequest } from './signature-verifier.ts';

// AWS's documented SigV4 example (IAM ListUsers, "Create a canonical request" / "Calculate the
// signature" in the IAM User Guide): these digests are published by AWS.
const EXAMPLE_SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const EXAMPLE_SCOPE = { date: '20150830', region: 'us-east-1', service: 'iam' };
const EXAMPLE_HEADERS: Array<[string, string]> = [
  ['Host', 'iam.amazonaws.com'],
  ['Content-Type', 'application/x-www-form-urlencoded; charset=utf-8'],
  ['X-Amz-Date', '20150830T123600Z'],
];
const EXAMPLE_SIGNATURE = '5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7';
const EXAMPLE_REQUEST: WireRequest = {
  method: 'GET',
  rawPath: '/',
  rawQuery: 'Action=ListUsers&Version=2010-05-08',
  headers: [
    ...EXAMPLE_HEADERS,
    [
      'Authorization',
      `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=${EXAMPLE_SIGNATURE}`,
    ],
  ],
  body: new Uint8Array(),
};
const EXAMPLE_NOW = new Date('2015-08-30T12:40:00Z');

describe('AWS documented example (IAM ListUsers)', () => {
  const canonical = canonicalRequest({
    ...EXAMPLE_REQUEST,
    signedHeaders: ['content-type', 'host', 'x-amz-date'],
    payloadHash: sha256Hex(''),
  });

  it('reproduces the canonical request hash, signing key and signature', () => {
    expect(sha256Hex(canonical)).toBe('f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59');
    expect(signingKey(EXAMPLE_SECRET, EXAMPLE_SCOPE).toString('hex')).toBe(
      'c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9',
    );
    expect(signature(EXAMPLE_SECRET, EXAMPLE_SCOPE, stringToSign('20150830T123600Z', EXAMPLE_SCOPE, canonical))).toBe(
      EXAMPLE_SIGNATURE,
    );
  });

  it('verifies the example request with the right secret only', () => {
    const claim = readSignatureClaim(EXAMPLE_REQUEST, EXAMPLE_NOW);
    expect(claim.accessKeyId).toBe('AKIDEXAMPLE');
    expect(claim.scope).toEqual(EXAMPLE_SCOPE);
    expect(signatureMatches(claim, EXAMPLE_SECRET)).toBe(true);
    expect(signatureMatches(claim, `${EXAMPLE_SECRET.slice(0, -1)}X`)).toBe(false);
  });

  it('fails when anything signed is changed', () => {
    const tamperedQuery = { ...EXAMPLE_REQUEST, rawQuery: 'Action=ListRoles&Version=2010-05-08' };
    expect(signatureMatches(readSignatureClaim(tamperedQuery, EXAMPLE_NOW), EXAMPLE_SECRET)).toBe(false);
    const tamperedBody = { ...EXAMPLE_REQUEST, body: new TextEncoder().encode('Action=DeleteUser') };
    expect(signatureMatches(readSignatureClaim(tamperedBody, EXAMPLE_NOW), EXAMPLE_SECRET)).toBe(false);
  });
});

describe('readSignatureClaim errors', () => {
  const withHeaders = (headers: ReadonlyArray<readonly [string, string]>): WireRequest => ({
    ...EXAMPLE_REQUEST,
    headers,
  });
  const codeOf = (request: WireRequest, now = EXAMPLE_NOW): string => {
    try {
      readSignatureClaim(request, now);
      return 'none';
    } catch (error) {
      return `${(error as { code: string }).code}: ${(error as Error).message}`;
    }
  };

  it('asks for authentication when there is no Authorization header', () => {
    expect(codeOf(withHeaders(EXAMPLE_HEADERS))).toBe(
      'MissingAuthenticationToken: Request is missing Authentication Token',
    );
  });

  it('refuses a signature older or newer than 15 minutes with AWS wording', () => {
    expect(codeOf(EXAMPLE_REQUEST, new Date('2015-08-30T12:51:01Z'))).toBe(
      'SignatureDoesNotMatch: Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T125101Z - 15 min.)',
    );
    expect(codeOf(EXAMPLE_REQUEST, new Date('2015-08-30T12:51:00Z'))).toBe('none');
    expect(codeOf(EXAMPLE_REQUEST, new Date('2015-08-30T12:20:59Z'))).toMatch(
      /^SignatureDoesNotMatch: Signature not yet current: 20150830T123600Z is still later than/,
    );
  });

  it('names what is missing or malformed', () => {
    const auth = (value: string) => withHeaders([...EXAMPLE_HEADERS, ['Authorization', value]]);
    expect(codeOf(auth('AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request'))).toBe(
      "IncompleteSignature: Authorization header requires 'SignedHeaders' parameter. Authorization header requires 'Signature' parameter.",
    );
    expect(codeOf(auth('AWS AKIDEXAMPLE:abc'))).toMatch(/^IncompleteSignature: Unsupported AWS 'algorithm'/);
    expect(
      codeOf(
        auth(
          'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150831/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=00',
        ),
      ),
    ).toMatch(/^SignatureDoesNotMatch: Date in Credential scope does not match/);
    expect(
      codeOf(
        auth(
          'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=x-amz-date, Signature=00',
        ),
      ),
    ).toMatch(/must be a 'SignedHeader'/);
  });

  it('only reports a security token the client signed', () => {
    const unsigned = withHeaders([...EXAMPLE_REQUEST.headers, ['X-Amz-Security-Token', 'tok']]);
    const claim = readSignatureClaim(unsigned, EXAMPLE_NOW);
    expect(claim.signedSecurityToken).toBeUndefined();
    expect(claim.securityTokenSent).toBe(true);
  });
});

describe('canonical forms', () => {
  it('sorts and re-encodes query parameters', () => {
    expect(canonicalQueryString('b=2&a=x%20y&a=1&c')).toBe('a=1&a=x%20y&b=2&c=');
    expect(canonicalQueryString("k=a*b!'()~")).toBe('k=a%2Ab%21%27%28%29~');
  });

  it('normalises and double-encodes non-S3 paths', () => {
    expect(canonicalUri('/')).toBe('/');
    expect(canonicalUri('')).toBe('/');
    expect(canonicalUri('/a/./b/../c%20d/')).toBe('/a/c%2520d/');
  });

  it('trims and folds header values, joining repeats with commas', () => {
    const text = canonicalRequest({
      method: 'post',
      rawPath: '/',
      rawQuery: '',
      headers: [
        ['Host', ' h '],
        ['X-Multi', 'a   b'],
        ['x-multi', ' c '],
      ],
      signedHeaders: ['host', 'x-multi'],
      payloadHash: 'p',
    });
    expect(text).toBe('POST\n/\n\nhost:h\nx-multi:a b,c\n\nhost;x-multi\np');
  });
});
