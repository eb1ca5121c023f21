import { CIS_CHECKS, type CisCheckId } from '../cis/cis-checks.ts';
import type { AlertFormat } from './alert-webhooks.ts';

/** Users named per check in one message; the count says how many there are in all. */
export const USERS_PER_CHECK = 20;

export interface Regression {
  check: CisCheckId;
  userNames: string[];
}

export interface RegressionAlert {
  scanId: string;
  scannedAt: Date;
  accountId: string | null;
  /** The portal's address (PUBLIC_URL), for a link to the dashboard; absent when not configured. */
  portalUrl: string | undefined;
  regressions: Regression[];
}

/** The portal's own JSON shape (format `json`). */
export function genericMessage(alert: RegressionAlert) {
  return {
    type: 'compliance.regression',
    scanId: alert.scanId,
    scannedAt: alert.scannedAt.toISOString(),
    accountId: alert.accountId,
    dashboard: alert.portalUrl ? new URL('/admin', alert.portalUrl).toString() : null,
    regressions: alert.regressions.map((r) => {
      const check = CIS_CHECKS.find((c) => c.id === r.check)!;
      return {
        check: r.check,
        reference: check.reference,
        title: check.title,
        count: r.userNames.length,
        users: r.userNames.slice(0, USERS_PER_CHECK),
      };
    }),
  };
}

/** Slack's mrkdwn treats &, < and > as markup. */
const escapeMrkdwn = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Slack's incoming-webhook JSON (format `slack`): `text` as the fallback, the lines as one block. */
export function slackMessage(alert: RegressionAlert) {
  const total = alert.regressions.reduce((n, r) => n + r.userNames.length, 0);
  const account = alert.accountId ? ` in account ${alert.accountId}` : '';
  const text = `AWS MFA portal: the compliance scan found ${total} new problem${total === 1 ? '' : 's'}${account}.`;
  const lines = alert.regressions.map((r) => {
    const check = CIS_CHECKS.find((c) => c.id === r.check)!;
    const shown = r.userNames.slice(0, USERS_PER_CHECK).map(escapeMrkdwn).join(', ');
    const more = r.userNames.length > USERS_PER_CHECK ? ` and ${r.userNames.length - USERS_PER_CHECK} more` : '';
    return `• *${escapeMrkdwn(check.title)}* (${check.reference}): ${shown}${more}`;
  });
  const link = alert.portalUrl ? `\n<${new URL('/admin', alert.portalUrl).toString()}|Open the dashboard>` : '';
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(text) } },
      { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') + link } },
    ],
  };
}

export function messageFor(format: AlertFormat, alert: RegressionAlert): object {
  return format === 'slack' ? slackMessage(alert) : genericMessage(alert);
}
