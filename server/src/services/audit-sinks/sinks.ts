import { appendFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { SiemEvent } from './siem-event.ts';

/** A SIEM destination. `deliver` resolves once the sink has taken the whole batch, in order. */
export interface AuditSink {
  readonly name: string;
  deliver(events: SiemEvent[]): Promise<void>;
  close(): Promise<void>;
}

const jsonLines = (events: SiemEvent[]) => events.map((event) => `${JSON.stringify(event)}\n`).join('');

/** JSON lines on a stream (stdout by default). */
export function streamSink(name: string, write: (text: string) => Promise<void>): AuditSink {
  return {
    name,
    deliver: (events) => write(jsonLines(events)),
    close: async () => {},
  };
}

export function stdoutSink(): AuditSink {
  return streamSink(
    'stdout',
    (text) =>
      new Promise<void>((resolve, reject) =>
        process.stdout.write(text, (error) => (error ? reject(error) : resolve())),
      ),
  );
}

/** JSON lines appended to a file (opened per batch, so log rotation by rename just works). */
export function fileSink(path: string): AuditSink {
  return streamSink('file', (text) => appendFile(path, text, { encoding: 'utf8', mode: 0o640 }));
}

export interface WebhookSinkOptions {
  url: string;
  token?: string | undefined;
  timeoutMs?: number;
}

/** POSTs `{ "events": [...] }`; any 2xx means the receiver has the batch. */
export function webhookSink({ url, token, timeoutMs = 10_000 }: WebhookSinkOptions): AuditSink {
  return {
    name: 'webhook',
    async deliver(events) {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'aws-mfa-portal-audit-sink',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ events }),
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`the webhook answered ${response.status}`);
    },
    close: async () => {},
  };
}

const APP_NAME = 'aws-mfa-portal';
/** RFC 5612's enterprise number for documentation; the SD-ID names the portal's own parameters. */
const SD_ID = 'portal@32473';
/** Facility authpriv (10): security messages. */
const FACILITY = 10;

/** `\`, `"` and `]` are escaped inside an SD-PARAM value (RFC 5424 section 6.3.3). */
const sdValue = (value: string) => value.replace(/[\\"\]]/g, (c) => `\\${c}`);
/** PRINTUSASCII without spaces, at most `max` characters; `-` when empty. */
const header = (value: string, max: number) => value.replace(/[^\x21-\x7e]/g, '_').slice(0, max) || '-';

/** One event as an RFC 5424 message: the JSON event as MSG, the key fields as structured data. */
export function syslogMessage(event: SiemEvent, host = hostname(), procId = String(process.pid)): string {
  const severity = event.outcome === 'success' ? 6 : 5; // informational / notice
  const sd = `[${SD_ID} seq="${event.seq}" outcome="${sdValue(event.outcome)}" actor="${sdValue(event.actor)}"]`;
  return `<${FACILITY * 8 + severity}>1 ${event.time} ${header(host, 255)} ${APP_NAME} ${header(procId, 128)} ${header(event.action, 32)} ${sd} ${JSON.stringify(event)}`;
}

/** Octet-counting framing (RFC 6587 3.4.1, RFC 5425 4.3): `LENGTH SP MESSAGE`. */
export function frame(message: string): string {
  return `${Buffer.byteLength(message, 'utf8')} ${message}`;
}
