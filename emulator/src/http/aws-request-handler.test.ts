import { describe, expect, it } from 'vitest';
import { fixtureState, KEYS } from '../../test/fixture-state.ts';
import type { OperationTable } from '../protocol/operation.ts';
import { canonicalRequest, sha256Hex, signature } from '../sigv4/canonical-request.ts';
import { formatAmzDate, type WireRequest } from '../sigv4/signature-verifier.ts';
import { validateStateFile } from '../state/state-validator.ts';
import { Store } from '../state/store.ts';
import { handleAwsRequest } from './aws-request-handler.ts';

const NOW = new Date('2026-11-22T10:00:00Z');

function signedWire(body: string, service = 'sts'): WireRequest {
  const amzDate = formatAmzDate(NOW);
  const headers: Array<[string, string]> = [
    ['Host', 'localhost'],
    ['X-Amz-Date', amzDate],
  ];
  const scope = { date: amzDate.slice(0, 8), region: 'eu-west-1', service };
  const canonical = canonicalRequest({
    method: 'POST',
    rawPath: '/',
    rawQuery: '',
    headers,
    signedHeaders: ['host', 'x-amz-date'],
    payloadHash: sha256Hex(body),
  });
  const toSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    `${scope.date}/eu-west-1/${service}/aws4_request`,
    sha256Hex(canonical),
  ].join('\n');
  const sig = signature(KEYS.bob.secretAccessKey, scope, toSign);
  headers.push([
    'Authorization',
    `AWS4-HMAC-SHA256 Credential=${KEYS.bob.accessKeyId}/${scope.date}/eu-west-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${sig}`,
  ]);
  return { method: 'POST', rawPath: '/', rawQuery: '', headers, body: new TextEncoder().encode(body) };
}

function setup(sts: OperationTable) {
  const logged: string[] = [];
  const deps = {
    store: new Store(validateStateFile(fixtureState())),
    operations: { sts, iam: {} },
    logError: (message: string) => logged.push(message),
  };
  return { deps, logged };
}

describe('handleAwsRequest', () => {
  it('turns an unexpected exception into a generic 500 InternalFailure and logs it', async () => {
    const { deps, logged } = setup({
      Boom: () => {
        throw new TypeError('secret internals');
      },
    });
    const answer = await handleAwsRequest(deps, signedWire('Action=Boom&Version=2011-06-15'), NOW, 'req-1');
    expect(answer.status).toBe(500);
    expect(answer.body).toContain('<Type>Receiver</Type><Code>InternalFailure</Code>');
    expect(answer.body).not.toContain('secret internals');
    expect(logged).toEqual(['unexpected failure in sts:Boom (request req-1)']);
  });

  it('renders results in the service namespace and checks the Version', async () => {
    const { deps } = setup({ Ping: (ctx) => ({ Caller: ctx.caller.arn }) });
    const ok = await handleAwsRequest(deps, signedWire('Action=Ping&Version=2011-06-15'), NOW, 'req-2');
    expect(ok).toEqual({
      status: 200,
      body:
        '<PingResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><PingResult><Caller>arn:aws:iam::111111111111:user/bob</Caller></PingResult>' +
        '<ResponseMetadata><RequestId>req-2</RequestId></ResponseMetadata></PingResponse>',
    });
    const wrongVersion = await handleAwsRequest(deps, signedWire('Action=Ping&Version=2010-05-08'), NOW, 'req-3');
    expect(wrongVersion.status).toBe(400);
    expect(wrongVersion.body).toContain('<Message>Could not find operation Ping for version 2010-05-08</Message>');
  });

  it('binds ctx.authorize to the caller and the action', async () => {
    const { deps } = setup({
      Guarded: (ctx) => {
        ctx.authorize('arn:aws:iam::111111111111:role/Open');
        return { Ok: true };
      },
    });
    const answer = await handleAwsRequest(deps, signedWire('Action=Guarded'), NOW, 'req-4');
    expect(answer.status).toBe(403);
    expect(answer.body).toContain(
      '<Message>User: arn:aws:iam::111111111111:user/bob is not authorized to perform: sts:Guarded on resource: arn:aws:iam::111111111111:role/Open</Message>',
    );
  });
});
