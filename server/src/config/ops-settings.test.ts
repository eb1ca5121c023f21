import { describe, expect, it } from 'vitest';
import { type ConfigError, loadConfig } from './config.ts';

const load = (env: Record<string, string>) => loadConfig(env, '/srv');

describe('metrics and audit sink settings', () => {
  it('keeps metrics off and no sink configured by default', () => {
    const config = load({});
    expect(config.metrics).toEqual({ token: undefined, userLabels: false });
    expect(config.auditSinks).toEqual({ stdout: false, file: undefined, syslog: undefined, webhook: undefined });
  });

  it('parses the sinks', () => {
    const config = load({
      AUDIT_SINK_STDOUT: 'true',
      AUDIT_SINK_SYSLOG: 'tls://siem.example.com:6514',
      AUDIT_SINK_WEBHOOK_URL: 'https://siem.example.com/in',
      AUDIT_SINK_WEBHOOK_TOKEN: 'x'.repeat(16),
    });
    expect(config.auditSinks.syslog).toEqual({ tls: true, host: 'siem.example.com', port: 6514, caFile: undefined });
    expect(config.auditSinks.webhook).toEqual({ url: 'https://siem.example.com/in', token: 'x'.repeat(16) });
  });

  it('refuses a short metrics token, clear-text webhooks off this host and credentials in the URL', () => {
    const problems = (env: Record<string, string>) => {
      try {
        load(env);
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    expect(problems({ METRICS_TOKEN: 'short' })[0]).toMatch(/^METRICS_TOKEN: must be at least 32/);
    expect(problems({ AUDIT_SINK_WEBHOOK_URL: 'http://siem.example.com/in' })[0]).toMatch(/https/);
    expect(problems({ AUDIT_SINK_WEBHOOK_URL: 'https://u:p@siem.example.com/in' })[0]).toMatch(/credentials/);
    expect(problems({ AUDIT_SINK_WEBHOOK_URL: 'http://127.0.0.1:9999/in' })).toEqual([]);
    expect(problems({ AUDIT_SINK_SYSLOG: 'udp://siem:514' })[0]).toMatch(/^AUDIT_SINK_SYSLOG: must be tcp/);
  });
});
