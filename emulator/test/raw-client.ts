import { type CredentialScope, canonicalRequest, sha256Hex, signature } from '../src/sigv4/canonical-request.ts';
import { formatAmzDate } from '../src/sigv4/signature-verifier.ts';
import type { Credentials } from './emulator-harness.ts';

export interface RawResponse {
  status: number;
  headers: Headers;
  body: string;
}

/**
 * A hand-rolled SigV4 Query-protocol request, for the cases no SDK produces: wrong scopes,
 * stale dates, GET requests, oversized bodies, unknown actions.
 */
export async function signedRequest(
  url: string,
  credentials: Credentials,
  options: {
    body?: string;
    query?: string;
    method?: 'GET' | 'POST';
    service?: string;
    at?: Date;
    region?: string;
  } = {},
): Promise<RawResponse> {
  const method = options.method ?? 'POST';
  const body = options.body ?? '';
  const query = options.query ?? '';
  const at = options.at ?? new Date();
  const amzDate = formatAmzDate(at);
  const host = new URL(url).host;
  const scope: CredentialScope = {
    date: amzDate.slice(0, 8),
    region: options.region ?? 'us-east-1',
    service: options.service ?? 'sts',
  };
  const headers: Array<[string, string]> = [
    ['host', host],
    ['x-amz-date', amzDate],
    ...(method === 'POST' ? ([['content-type', 'application/x-www-form-urlencoded']] as Array<[string, string]>) : []),
    ...(credentials.sessionToken
      ? ([['x-amz-security-token', credentials.sessionToken]] as Array<[string, string]>)
      : []),
  ];
  const signedHeaders = headers.map(([name]) => name).sort();
  const canonical = canonicalRequest({
    method,
    rawPath: '/',
    rawQuery: query,
    headers,
    signedHeaders,
    payloadHash: sha256Hex(body),
  });
  const toSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    `${scope.date}/${scope.region}/${scope.service}/aws4_request`,
    sha256Hex(canonical),
  ].join('\n');
  const authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope.date}/${scope.region}/${scope.service}/aws4_request, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature(credentials.secretAccessKey, scope, toSign)}`;
  const response = await fetch(`${url}/${query ? `?${query}` : ''}`, {
    method,
    headers: Object.fromEntries([...headers.filter(([name]) => name !== 'host'), ['authorization', authorization]]),
    ...(method === 'POST' ? { body } : {}),
  });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** `<Code>` and `<Message>` of an `<ErrorResponse>`. */
export function errorOf(xml: string): { code: string; message: string } {
  const unescapeXml = (s: string) =>
    s
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, '&');
  return {
    code: unescapeXml(/<Code>(.*?)<\/Code>/s.exec(xml)?.[1] ?? ''),
    message: unescapeXml(/<Message>(.*?)<\/Message>/s.exec(xml)?.[1] ?? ''),
  };
}
