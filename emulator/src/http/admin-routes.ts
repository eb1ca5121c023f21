import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './body-reader.ts';
import { type FaultSettings, FaultSettingsError, NO_FAULTS, updateFaultSettings } from './fault-injection.ts';

export const ADMIN_PREFIX = '/__emulator/';

/** Mutable fault settings shared by the admin routes and the AWS request path. */
export interface FaultState {
  current: FaultSettings;
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

/**
 * The emulator's own endpoints (no SigV4: they are for the people and tests driving the
 * emulator on localhost): `GET /__emulator/health`, and `GET|POST|DELETE /__emulator/faults`.
 */
export async function handleAdminRequest(
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  faults: FaultState,
): Promise<void> {
  const method = request.method ?? 'GET';
  if (path === '/__emulator/health' && method === 'GET') {
    sendJson(response, 200, { status: 'ok' });
    return;
  }
  if (path === '/__emulator/faults') {
    if (method === 'GET') return sendJson(response, 200, faults.current);
    if (method === 'DELETE') {
      faults.current = { ...NO_FAULTS };
      return sendJson(response, 200, faults.current);
    }
    if (method === 'POST') {
      let input: unknown;
      try {
        input = JSON.parse((await readBody(request, 64 * 1024)).toString('utf8'));
      } catch {
        return sendJson(response, 400, {
          error: 'invalid_json',
          message: 'Send a JSON object such as {"throttleRate": 0.5}',
        });
      }
      try {
        faults.current = updateFaultSettings(faults.current, input);
      } catch (error) {
        if (!(error instanceof FaultSettingsError)) throw error;
        return sendJson(response, 400, { error: 'invalid_faults', message: error.message });
      }
      return sendJson(response, 200, faults.current);
    }
    return sendJson(response, 405, { error: 'method_not_allowed', message: 'Use GET, POST or DELETE' });
  }
  sendJson(response, 404, { error: 'not_found', message: `No emulator endpoint ${method} ${path}` });
}
