import type { AuditSinkSettings } from '../../config/ops-settings.ts';
import { type AuditSink, fileSink, stdoutSink, webhookSink } from './sinks.ts';
import { syslogSink } from './syslog-sink.ts';

/** The sinks the settings name (none by default). */
export function configuredSinks(settings: AuditSinkSettings): AuditSink[] {
  const sinks: AuditSink[] = [];
  if (settings.stdout) sinks.push(stdoutSink());
  if (settings.file) sinks.push(fileSink(settings.file));
  if (settings.syslog) sinks.push(syslogSink(settings.syslog));
  if (settings.webhook) sinks.push(webhookSink(settings.webhook));
  return sinks;
}
