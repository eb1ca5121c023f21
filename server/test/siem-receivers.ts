import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { SiemEvent } from '../src/services/audit-sinks/siem-event.ts';

/** Test receivers for the SIEM sinks: a syslog receiver (TCP or TLS, octet counting) and an HTTP one. */

export interface SyslogReceiver {
  port: number;
  messages: string[];
  /** Stops listening and drops its connections ("down"); `up` listens again on the same port. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

/** Reads `LENGTH SP MESSAGE` frames (RFC 6587 octet counting) from one connection. */
function readFrames(socket: Socket, onMessage: (message: string) => void): void {
  let buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const space = buffer.indexOf(0x20);
      if (space < 0) return;
      const length = Number(buffer.subarray(0, space).toString('ascii'));
      if (buffer.length < space + 1 + length) return;
      onMessage(buffer.subarray(space + 1, space + 1 + length).toString('utf8'));
      buffer = buffer.subarray(space + 1 + length);
    }
  });
  socket.on('error', () => {});
}

export async function startSyslogReceiver(tls?: { key: string; cert: string }): Promise<SyslogReceiver> {
  const messages: string[] = [];
  const sockets = new Set<Socket>();
  const make = (): Server => {
    const onSocket = (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      readFrames(socket, (m) => messages.push(m));
    };
    return tls ? createTlsServer(tls, onSocket) : createTcpServer(onSocket);
  };
  let server: Server | null = make();
  const listen = (s: Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve((s.address() as { port: number }).port));
    });
  const port = await listen(server, 0);
  const down = async () => {
    const s = server;
    server = null;
    for (const socket of sockets) socket.destroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  return {
    port,
    messages,
    down,
    async up() {
      server = make();
      await listen(server, port);
    },
    close: down,
  };
}

/** The SIEM events in the syslog messages (their MSG part is the JSON event). */
export function eventsOfSyslog(messages: string[]): SiemEvent[] {
  return messages.map((m) => JSON.parse(m.slice(m.indexOf('] {') + 2)) as SiemEvent);
}

export interface HttpReceiver {
  url: string;
  events: SiemEvent[];
  requests: number;
  authorization: string[];
  /** Answer 503 while true. */
  failing: boolean;
  /** Milliseconds to wait before answering. */
  delayMs: number;
  close(): Promise<void>;
}

export async function startHttpReceiver(): Promise<HttpReceiver> {
  const receiver = {
    url: '',
    events: [] as SiemEvent[],
    requests: 0,
    authorization: [] as string[],
    failing: false,
    delayMs: 0,
    close: async () => {},
  };
  const server: HttpServer = createHttpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      receiver.requests++;
      receiver.authorization.push(String(request.headers.authorization));
      setTimeout(() => {
        if (receiver.failing) {
          response.writeHead(503).end();
          return;
        }
        receiver.events.push(...(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events: SiemEvent[] }).events);
        response.writeHead(204).end();
      }, receiver.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/ingest`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

/** Waits until `check` holds (polling), or fails with `what` after `ms`. */
export async function eventually(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
