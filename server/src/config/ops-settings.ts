import { z } from 'zod';

/**
 * Settings for running the portal next to Prometheus and a SIEM: the metrics endpoint and the
 * audit sinks. Part of the one environment schema (config.ts spreads `opsSettingsShape` in).
 */

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** https anywhere; plain http only to this host (a local forwarder), so events never cross a network in clear. */
const webhookUrl = z.url({ error: 'must be an absolute URL' }).superRefine((value, ctx) => {
  const url = new URL(value);
  const loopback = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !loopback)
    ctx.addIssue({ code: 'custom', message: 'must be an https:// URL (http:// only to 127.0.0.1 or localhost)' });
  if (url.username || url.password)
    ctx.addIssue({ code: 'custom', message: 'must not carry credentials; use AUDIT_SINK_WEBHOOK_TOKEN' });
});

/** tcp://host:port or tls://host:port. */
const syslogTarget = z
  .string()
  .trim()
  .regex(/^(tcp|tls):\/\/[A-Za-z0-9.-]{1,253}:\d{1,5}$/, 'must be tcp://host:port or tls://host:port')
  .transform((value) => {
    const url = new URL(value);
    return { tls: url.protocol === 'tls:', host: url.hostname, port: Number(url.port) };
  });

export const opsSettingsShape = {
  /** Bearer token for GET /metrics; without it /metrics answers 404 (never public by default). */
  METRICS_TOKEN: z.string().min(32, 'must be at least 32 characters').max(512).optional(),
  /** Adds the IAM user name as a label of the issuance counter (more series: one per user). */
  METRICS_USER_LABELS: booleanFlag.default(false),
  /** Writes every audit event as a JSON line to stdout. */
  AUDIT_SINK_STDOUT: booleanFlag.default(false),
  /** Appends every audit event as a JSON line to this file. */
  AUDIT_SINK_FILE: z.string().trim().min(1).max(1024).optional(),
  /** Sends every audit event as RFC 5424 syslog over TCP (octet-counted framing) or TLS. */
  AUDIT_SINK_SYSLOG: syslogTarget.optional(),
  /** PEM file of the CA that signed the syslog receiver's certificate (tls:// only; system CAs otherwise). */
  AUDIT_SINK_SYSLOG_CA_FILE: z.string().trim().min(1).max(1024).optional(),
  /** POSTs batches of audit events (JSON) to this URL. */
  AUDIT_SINK_WEBHOOK_URL: webhookUrl.optional(),
  /** Sent as `Authorization: Bearer <token>` to the webhook. */
  AUDIT_SINK_WEBHOOK_TOKEN: z.string().min(16, 'must be at least 16 characters').max(1024).optional(),
};

const opsSchema = z.object(opsSettingsShape);
type OpsEnvironment = z.infer<typeof opsSchema>;

export interface MetricsSettings {
  token: string | undefined;
  userLabels: boolean;
}

export interface AuditSinkSettings {
  stdout: boolean;
  file: string | undefined;
  syslog: { tls: boolean; host: string; port: number; caFile: string | undefined } | undefined;
  webhook: { url: string; token: string | undefined } | undefined;
}

export function opsSettingsFrom(e: OpsEnvironment): { metrics: MetricsSettings; auditSinks: AuditSinkSettings } {
  return {
    metrics: { token: e.METRICS_TOKEN, userLabels: e.METRICS_USER_LABELS },
    auditSinks: {
      stdout: e.AUDIT_SINK_STDOUT,
      file: e.AUDIT_SINK_FILE,
      syslog: e.AUDIT_SINK_SYSLOG ? { ...e.AUDIT_SINK_SYSLOG, caFile: e.AUDIT_SINK_SYSLOG_CA_FILE } : undefined,
      webhook: e.AUDIT_SINK_WEBHOOK_URL
        ? { url: e.AUDIT_SINK_WEBHOOK_URL, token: e.AUDIT_SINK_WEBHOOK_TOKEN }
        : undefined,
    },
  };
}
