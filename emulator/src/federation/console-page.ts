import type { ConsoleSignIn } from './federation-endpoint.ts';

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The emulator's stand-in for the AWS console: who signed in, until when, and where to. */
export function consolePage(signIn: ConsoleSignIn): string {
  const rows: Array<[string, string, string]> = [
    ['Federated identity', 'identity', signIn.arn],
    ['Role', 'role', signIn.roleArn],
    ['Account', 'account', signIn.account],
    ['Region', 'region', signIn.region ?? '(global)'],
    ['Session ends', 'session-end', signIn.consoleEndsAt.toISOString()],
    ['Destination', 'destination', signIn.destination],
  ];
  const cells = rows
    .map(([label, id, value]) => `<dt>${label}</dt><dd data-testid="${id}">${escapeHtml(value)}</dd>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>AWS Management Console (emulator)</title></head>
<body><h1>AWS Management Console (emulator)</h1><dl>${cells}</dl></body></html>`;
}
