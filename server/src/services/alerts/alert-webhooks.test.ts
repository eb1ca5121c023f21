import { describe, expect, it } from 'vitest';
import { slackMessage } from './alert-messages.ts';
import { parseAlertWebhooks } from './alert-webhooks.ts';

describe('ALERT_WEBHOOKS', () => {
  it('reads label=format:url entries', () => {
    expect(parseAlertWebhooks('sec=slack:https://hooks.example/T1/B2/xyz, siem=json:http://127.0.0.1:9/a')).toEqual({
      webhooks: [
        { label: 'sec', format: 'slack', url: 'https://hooks.example/T1/B2/xyz' },
        { label: 'siem', format: 'json', url: 'http://127.0.0.1:9/a' },
      ],
      problems: [],
    });
  });

  it('names a bad entry by position, never repeating its URL (it may carry a secret)', () => {
    const { problems } = parseAlertWebhooks(
      'sec=teams:https://hooks.example/SECRET,x=json:https://u:p@h.example/,sec=json:https://a.example,sec=json:https://b.example',
    );
    expect(problems).toHaveLength(3);
    expect(problems.join(' ')).not.toMatch(/SECRET|u:p/);
  });
});

describe('Slack message', () => {
  it('escapes mrkdwn and caps the users listed', () => {
    const message = slackMessage({
      scanId: 's',
      scannedAt: new Date(0),
      accountId: '111111111111',
      portalUrl: undefined,
      regressions: [{ check: 'user_mfa', userNames: ['<b>&', ...Array.from({ length: 25 }, (_, i) => `u${i}`)] }],
    });
    const text = JSON.stringify(message);
    expect(text).toContain('&lt;b&gt;&amp;');
    expect(text).not.toContain('<b>');
    expect(text).toContain('and 6 more');
  });
});
