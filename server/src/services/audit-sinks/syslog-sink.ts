import { readFileSync } from 'node:fs';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { AuditSink } from './sinks.ts';
import { frame, syslogMessage } from './sinks.ts';

export interface SyslogSinkOptions {
  host: string;
  port: number;
  tls: boolean;
  /** PEM CA bundle for the receiver's certificate (TLS); the system's CAs otherwise. */
  caFile?: string | undefined;
  timeoutMs?: number;
}

/**
 * RFC 5424 messages over one long-lived TCP or TLS connection (RFC 5425 for TLS, which checks
 * the receiver's certificate and name). A batch counts as delivered when the socket has taken
 * every byte; syslog has no acknowledgements, so what a receiver loses while its connection
 * breaks is resent only if the write itself failed.
 */
export function syslogSink(options: SyslogSinkOptions): AuditSink {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const ca = options.caFile ? readFileSync(options.caFile) : undefined;
  let socket: Socket | null = null;

  const open = () =>
    new Promise<Socket>((resolve, reject) => {
      const s = options.tls
        ? connectTls({ host: options.host, port: options.port, servername: options.host, ...(ca ? { ca } : {}) })
        : connectTcp({ host: options.host, port: options.port });
      const timer = setTimeout(() => s.destroy(new Error('syslog connect timed out')), timeoutMs);
      s.once(options.tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        s.setKeepAlive(true, 30_000);
        resolve(s);
      });
      s.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });

  const drop = () => {
    socket?.destroy();
    socket = null;
  };

  return {
    name: 'syslog',
    async deliver(events) {
      if (!socket || socket.destroyed || !socket.writable) {
        drop();
        const opened = await open();
        opened.on('error', () => drop());
        opened.on('close', () => {
          if (socket === opened) socket = null;
        });
        // A receiver never speaks first in this protocol: reading keeps the socket's end noticed.
        opened.resume();
        socket = opened;
      }
      const current = socket;
      const payload = events.map((event) => frame(syslogMessage(event))).join('');
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('syslog write timed out')), timeoutMs);
        current.write(payload, 'utf8', (error) => {
          clearTimeout(timer);
          if (error) reject(error);
          else resolve();
        });
      }).catch((error: unknown) => {
        drop();
        throw error;
      });
    },
    async close() {
      const current = socket;
      socket = null;
      if (current && !current.destroyed) await new Promise<void>((resolve) => current.end(resolve));
    },
  };
}
