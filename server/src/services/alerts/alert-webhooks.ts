/** The message shapes a webhook receives: Slack's incoming-webhook JSON, or the portal's own. */
export const ALERT_FORMATS = ['slack', 'json'] as const;
export type AlertFormat = (typeof ALERT_FORMATS)[number];

export interface AlertWebhook {
  /** Shown in the console and the audit log instead of the URL (which may carry a secret). */
  label: string;
  format: AlertFormat;
  url: string;
}

const ENTRY = /^([a-z0-9][a-z0-9_-]{0,39})=(slack|json):(https?:\/\/\S+)$/;

/**
 * `ALERT_WEBHOOKS`: comma-separated `label=format:url`, e.g.
 * `security=slack:https://hooks.slack.com/services/...,siem=json:https://siem.example/hook`.
 * Problems name the entry by position, never by its URL.
 */
export function parseAlertWebhooks(text: string): { webhooks: AlertWebhook[]; problems: string[] } {
  const webhooks: AlertWebhook[] = [];
  const problems: string[] = [];
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  entries.forEach((entry, i) => {
    const match = ENTRY.exec(entry);
    let url: URL | undefined;
    try {
      url = match ? new URL(match[3]!) : undefined;
    } catch {
      url = undefined;
    }
    if (!match || !url || url.username || url.password) {
      problems.push(
        `entry ${i + 1} must be label=slack:https://... or label=json:https://... (label: a-z, 0-9, _ and -; no user:password in the URL)`,
      );
      return;
    }
    if (webhooks.some((w) => w.label === match[1])) problems.push(`entry ${i + 1} repeats the label ${match[1]}`);
    else webhooks.push({ label: match[1]!, format: match[2] as AlertFormat, url: url.toString() });
  });
  return { webhooks, problems };
}
