import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateAccessKeyCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { failureOf, startTestEmulator, stsClient, type TestEmulator } from '../test/emulator-harness.ts';
import { fixtureState, KEYS } from '../test/fixture-state.ts';
import { errorOf, signedRequest } from '../test/raw-client.ts';
import { startEmulator } from './server.ts';
import { loadStateFile } from './state/load-state.ts';
import type { TotpDeviceSpec } from './state/state-file.ts';

let emulator: TestEmulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(() => emulator.close());

const faults = (method: 'GET' | 'POST' | 'DELETE', body?: unknown) =>
  fetch(`${emulator.url}/__emulator/faults`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
const whoAmI = () => stsClient(emulator, KEYS.bob).send(new GetCallerIdentityCommand({}));

describe('HTTP surface', () => {
  it('answers health checks', async () => {
    const response = await fetch(`${emulator.url}/__emulator/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers XML with a request id, also for unauthenticated requests', async () => {
    const response = await fetch(emulator.url, {
      method: 'POST',
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toBe('text/xml');
    const requestId = response.headers.get('x-amzn-requestid');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const body = await response.text();
    expect(body).toBe(
      `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>MissingAuthenticationToken</Code>` +
        `<Message>Request is missing Authentication Token</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    );
  });

  it('accepts signed GET requests with the parameters in the query string', async () => {
    const response = await signedRequest(emulator.url, KEYS.bob, {
      method: 'GET',
      query: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    expect(response.status).toBe(200);
    expect(response.body).toContain('<Arn>arn:aws:iam::111111111111:user/bob</Arn>');
    expect(response.body).toMatch(
      /^<GetCallerIdentityResponse xmlns="https:\/\/sts.amazonaws.com\/doc\/2011-06-15\/"><GetCallerIdentityResult>/,
    );
  });

  it('rejects unknown actions, wrongly scoped credentials and stale signatures like AWS', async () => {
    const unknown = await signedRequest(emulator.url, KEYS.bob, {
      body: 'Action=GetFederationToken&Version=2011-06-15',
    });
    expect([unknown.status, errorOf(unknown.body)]).toEqual([
      400,
      { code: 'InvalidAction', message: 'Could not find operation GetFederationToken for version 2011-06-15' },
    ]);
    const wrongScope = await signedRequest(emulator.url, KEYS.bob, {
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
      service: 'iam',
    });
    expect([wrongScope.status, errorOf(wrongScope.body)]).toEqual([
      403,
      { code: 'SignatureDoesNotMatch', message: "Credential should be scoped to correct service: 'sts'. " },
    ]);
    const stale = await signedRequest(emulator.url, KEYS.bob, {
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
      at: new Date(Date.now() - 16 * 60_000),
    });
    expect(stale.status).toBe(403);
    expect(errorOf(stale.body)).toEqual({
      code: 'SignatureDoesNotMatch',
      message: expect.stringMatching(
        /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/,
      ),
    });
  });

  it('refuses bodies over 1 MiB with 413', async () => {
    const response = await signedRequest(emulator.url, KEYS.bob, {
      body: `Action=GetCallerIdentity&Pad=${'x'.repeat(1024 * 1024)}`,
    });
    expect(response.status).toBe(413);
    expect(errorOf(response.body).code).toBe('RequestEntityTooLarge');
    await expect(whoAmI()).resolves.toBeDefined();
  });
});

describe('robustness', () => {
  it('survives a client that disconnects mid-body, without logging an error', async () => {
    const logged: string[] = [];
    const quiet = await startEmulator({ state: fixtureState(), logError: (message) => logged.push(message) });
    try {
      const { port } = new URL(quiet.url);
      await new Promise<void>((resolve) => {
        const socket = connect(Number(port), '127.0.0.1', () => {
          socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nAction=Get');
          setTimeout(() => socket.destroy(), 50);
        });
        socket.on('close', () => resolve());
      });
      expect((await fetch(`${quiet.url}/__emulator/health`)).status).toBe(200);
      expect(logged).toEqual([]);
    } finally {
      await quiet.close();
    }
  });
});

describe('fault injection', () => {
  afterEach(async () => {
    await faults('DELETE');
  });

  it('validates settings and reports the current ones', async () => {
    const bad = await faults('POST', { throttleRate: 2, bogus: 1 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toBe(
      'throttleRate must be a number from 0 to 1; unknown setting "bogus" (allowed: latencyMs, throttleRate, errorRate, errorStatus, dropConnections, malformedRate)',
    );
    expect((await faults('POST', { latencyMs: 5 })).status).toBe(200);
    expect(await (await faults('GET')).json()).toEqual({
      latencyMs: 5,
      throttleRate: 0,
      errorRate: 0,
      errorStatus: 'random',
      dropConnections: 0,
      malformedRate: 0,
    });
    expect(await (await faults('DELETE')).json()).toMatchObject({ latencyMs: 0 });
  });

  it('throttles, fails, delays and drops on request', async () => {
    await faults('POST', { throttleRate: 1 });
    expect(await failureOf(whoAmI())).toEqual({ name: 'Throttling', status: 400, message: 'Rate exceeded' });
    await faults('POST', { throttleRate: 0, errorRate: 1, errorStatus: 503 });
    expect(await failureOf(whoAmI())).toMatchObject({ name: 'ServiceUnavailable', status: 503 });
    await faults('POST', { errorStatus: 500 });
    expect(await failureOf(whoAmI())).toMatchObject({ name: 'InternalFailure', status: 500 });
    await faults('POST', { errorRate: 0, latencyMs: 300 });
    const started = Date.now();
    await whoAmI();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    await faults('POST', { latencyMs: 0, dropConnections: true });
    const dropped = await failureOf(whoAmI());
    expect(dropped.name).not.toBe('no error');
    expect(dropped.status).toBeUndefined(); // no HTTP answer at all
    await faults('DELETE');
    await expect(whoAmI()).resolves.toBeDefined();
  });
});

describe('persistence', () => {
  it('writes changes back to the state file atomically', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emulator-persist-'));
    try {
      const path = join(dir, 'state.json');
      await writeFile(path, JSON.stringify(fixtureState()));
      const persisting = await startEmulator({ state: path, persistPath: path });
      try {
        const iam = new IAMClient({
          endpoint: persisting.url,
          region: 'us-east-1',
          credentials: KEYS.erin,
          maxAttempts: 1,
        });
        // erin may not create keys; the call fails but her key's last use is still recorded.
        expect((await failureOf(iam.send(new CreateAccessKeyCommand({})))).name).toBe('AccessDenied');
        const saved = await loadStateFile(path);
        const erinKey = saved.users.find((u) => u.name === 'erin')!.accessKeys![0]!;
        expect(erinKey).toMatchObject({
          lastUsedService: 'iam',
          lastUsedRegion: 'us-east-1',
          lastUsed: expect.any(String),
        });
      } finally {
        await persisting.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start from a malformed state file, naming the bad path', async () => {
    const state = fixtureState();
    (state.users[1]!.mfaDevices![0] as TotpDeviceSpec).seed = 'lowercase-not-base32';
    await expect(startEmulator({ state })).rejects.toThrow('users[1].mfaDevices[0].seed: must be base32');
  });
});
