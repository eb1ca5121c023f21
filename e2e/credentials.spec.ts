/// <reference lib="dom" />
// Callbacks passed to page.evaluate() run in the browser.
import { readFileSync } from 'node:fs';
import { type BrowserContext, expect, type Locator, type Page, test } from '@playwright/test';
import type { CredentialsJson } from '../server/src/formats/output-schemas.ts';
import { demoUser } from './support/demo-users.ts';
import { longestRole, myRoles, type PortalRole } from './support/portal-api.ts';
import { freshCode, withSpace } from './support/totp.ts';

/**
 * The engineer's path through the app, in order, in one browser tab: sign in with a code from
 * alice's MFA seed, find a role, take credentials in every format, copy, download, rename the
 * profile, watch the countdown, use a fresh code, open the MFA session page, sign out.
 */

const alice = demoUser('alice');

test.describe.configure({ mode: 'serial' });

let context: BrowserContext;
let page: Page;
let roles: PortalRole[];
let role: PortalRole;
const consoleErrors: string[] = [];

test.beforeAll(async ({ browser }, testInfo) => {
  context = await browser.newContext({
    baseURL: testInfo.project.use.baseURL,
    permissions: ['clipboard-read', 'clipboard-write'],
    acceptDownloads: true,
  });
  page = await context.newPage();
  // CSP violations and failed requests show up as console errors.
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
});

test.afterAll(async () => {
  await context.close();
});

const card = (alias: string): Locator => page.locator(`[data-testid="role-card"][data-role="${alias}"]`);
const panel = (): Locator => page.getByTestId('credential-panel');
const tab = (name: string): Locator => panel().getByRole('tab', { name, exact: true });
const visibleBody = (): Locator => panel().locator('[role="tabpanel"]:not([hidden]) [data-testid="format-body"]');

async function showTab(name: string): Promise<string> {
  await tab(name).click();
  await expect(tab(name)).toHaveAttribute('aria-selected', 'true');
  return (await visibleBody().textContent()) ?? '';
}

test('signs in by keyboard alone with a code computed from the demo seed, pasted with a space', async () => {
  test.setTimeout(90_000);
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();

  const userField = page.getByLabel('IAM user name');
  const codeField = page.getByLabel('MFA code', { exact: true });
  await expect(codeField).toHaveAttribute('inputmode', 'numeric');
  await expect(codeField).toHaveAttribute('autocomplete', 'one-time-code');

  // Skip link, brand link, then the first field.
  for (let i = 0; i < 3 && !(await userField.evaluate((el) => el === document.activeElement)); i++)
    await page.keyboard.press('Tab');
  await expect(userField).toBeFocused();
  await page.keyboard.type(alice.userName);
  await page.keyboard.press('Tab');
  await expect(codeField).toBeFocused();
  // Pasted the way some authenticator apps copy it, with a space in the middle.
  const pasted = withSpace(await freshCode(alice));
  await page.evaluate((text) => navigator.clipboard.writeText(text), pasted);
  await page.keyboard.press('ControlOrMeta+V');
  await expect(codeField).toHaveValue(pasted);
  await page.keyboard.press('Enter');

  await expect(page).toHaveURL(/\/roles$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Roles' })).toBeVisible();
  await expect(page.getByTestId('signed-in-user')).toHaveText('alice');
  await expect(page.getByTestId('session-ends')).toContainText('session ends');
});

test('lists the roles grouped by account, recently used first, with a filter box', async () => {
  roles = await myRoles(page.request);
  expect(roles.length).toBeGreaterThan(0);
  role = longestRole(roles);

  for (const accountId of new Set(roles.map((r) => r.accountId))) {
    const heading = page.getByRole('heading', { level: 2, name: new RegExp(accountId) });
    await expect(heading).toBeVisible();
    const inAccount = roles.filter((r) => r.accountId === accountId);
    const expected = [...inAccount]
      .sort(
        (a, b) =>
          (Date.parse(b.lastUsedAt ?? '') || 0) - (Date.parse(a.lastUsedAt ?? '') || 0) ||
          a.alias.localeCompare(b.alias),
      )
      .map((r) => r.alias);
    const section = page.getByRole('region', { name: new RegExp(accountId) });
    await expect(section.getByTestId('role-card')).toHaveCount(inAccount.length);
    expect(
      await section.getByTestId('role-card').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-role'))),
    ).toEqual(expected);
  }
  for (const r of roles) {
    await expect(card(r.alias)).toContainText(r.roleName);
    if (r.description) await expect(card(r.alias)).toContainText(r.description);
  }

  const filter = page.getByLabel('Filter roles');
  await filter.fill(role.roleName);
  const matching = roles.filter((r) =>
    [r.alias, r.roleName, r.roleArn, r.description ?? ''].join(' ').toLowerCase().includes(role.roleName.toLowerCase()),
  );
  await expect(page.getByTestId('role-card')).toHaveCount(matching.length);
  await expect(card(role.alias)).toBeVisible();
  await filter.fill('no-role-is-called-this');
  await expect(page.getByTestId('role-card')).toHaveCount(0);
  await expect(page.getByText('No role matches')).toBeVisible();
  await filter.fill('');
  await expect(page.getByTestId('role-card')).toHaveCount(roles.length);
});

test('takes credentials for a chosen role and duration', async () => {
  const toggle = card(role.alias).getByRole('button', { name: 'Get credentials', exact: true });
  await toggle.focus();
  await page.keyboard.press('Enter');
  await expect(card(role.alias).getByRole('button', { name: 'Close' })).toHaveAttribute('aria-expanded', 'true');

  const duration = card(role.alias).getByLabel('Duration');
  const offered = await duration
    .locator('option')
    .evaluateAll((options) => options.map((o) => Number((o as HTMLOptionElement).value)));
  expect(Math.max(...offered)).toBe(role.maxDurationSeconds);
  await duration.selectOption('3600');

  const requestedAt = Date.now();
  await card(role.alias).locator('form').getByRole('button', { name: 'Get credentials', exact: true }).click();
  await expect(panel()).toBeVisible();
  await expect(panel().getByRole('heading', { name: `Credentials for ${role.alias}` })).toBeFocused();
  await expect(panel().getByTestId('role-session-name')).not.toBeEmpty();

  const json = JSON.parse(await showTab('JSON')) as CredentialsJson;
  expect(json.roleArn).toBe(role.roleArn);
  expect(json.accessKeyId).toMatch(/^ASIA[A-Z0-9]{12,}$/);
  expect(json.roleSessionName).toBe(await panel().getByTestId('role-session-name').textContent());
  const lifetime = Date.parse(json.expiration) - requestedAt;
  expect(lifetime).toBeGreaterThan(3500_000);
  expect(lifetime).toBeLessThanOrEqual(3610_000);
});

test('shows every format in its own tab, operable with the arrow keys', async () => {
  const json = JSON.parse(await showTab('JSON')) as CredentialsJson;
  const { accessKeyId, secretAccessKey, sessionToken } = json;
  const origin = new URL(page.url()).origin;
  const expectations: Array<[string, (body: string) => void]> = [
    [
      'bash/zsh',
      (b) =>
        expect(b).toBe(
          `export AWS_ACCESS_KEY_ID=${accessKeyId}\nexport AWS_SECRET_ACCESS_KEY=${secretAccessKey}\nexport AWS_SESSION_TOKEN=${sessionToken}\nexport AWS_CREDENTIAL_EXPIRATION=${json.expiration}\n`,
        ),
    ],
    ['fish', (b) => expect(b).toContain(`set -gx AWS_SECRET_ACCESS_KEY "${secretAccessKey}"`)],
    ['PowerShell', (b) => expect(b).toContain(`$Env:AWS_SESSION_TOKEN="${sessionToken}"`)],
    ['Windows cmd', (b) => expect(b).toContain(`set AWS_ACCESS_KEY_ID=${accessKeyId}`)],
    [
      'Credentials file',
      (b) => expect(b).toMatch(new RegExp(`^\\[${json.profile}\\]\\naws_access_key_id = ${accessKeyId}$`, 'm')),
    ],
    [
      'credential_process config',
      (b) =>
        expect(b).toContain(`credential_process = aws-mfa-portal-credentials --portal ${origin} --role ${role.alias}`),
    ],
    ['.env', (b) => expect(b).toContain(`AWS_SESSION_TOKEN=${sessionToken}\n`)],
    ['JSON', (b) => expect(JSON.parse(b)).toMatchObject({ accessKeyId, roleArn: role.roleArn })],
    [
      'SDK auto-refresh',
      (b) =>
        expect(b).toBe(
          `export AWS_CONTAINER_CREDENTIALS_FULL_URI=${origin}/api/v1/container-credentials/${role.alias}\nexport AWS_CONTAINER_AUTHORIZATION_TOKEN="$(jq -r .token ~/.config/aws-mfa-portal/token)"\n`,
        ),
    ],
  ];
  await expect(panel().getByRole('tab')).toHaveText(expectations.map(([name]) => name));

  await tab('bash/zsh').click();
  for (const [index, [name, check]] of expectations.entries()) {
    if (index > 0) await page.keyboard.press('ArrowRight');
    await expect(tab(name)).toBeFocused();
    await expect(tab(name)).toHaveAttribute('aria-selected', 'true');
    await expect(panel().locator('[role="tabpanel"]:not([hidden])')).toHaveCount(1);
    check((await visibleBody().textContent()) ?? '');
  }
  await page.keyboard.press('Home');
  await expect(tab('bash/zsh')).toBeFocused();
  await page.keyboard.press('End');
  await expect(tab('SDK auto-refresh')).toBeFocused();

  // The scripting recipes name this role and user.
  await expect(panel().getByTestId('curl-recipe')).toHaveText(
    `curl -fsS ${origin}/api/v1/credentials -d userName=alice -d code=<code> -d role=${role.alias} -d format=env`,
  );
  await expect(panel().getByTestId('process-recipe')).toHaveText(
    `credential_process = aws-mfa-portal-credentials --portal ${origin} --role ${role.alias}`,
  );
});

test('copies a snippet to the clipboard', async () => {
  const body = await showTab('bash/zsh');
  await panel().getByRole('button', { name: 'Copy bash/zsh' }).click();
  await expect(panel().locator('[role="tabpanel"]:not([hidden])').getByRole('status')).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(body);

  await panel().getByRole('button', { name: 'Copy curl recipe' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain('/api/v1/credentials -d userName=alice');
});

test('renames the profile, rejecting unsafe names, and downloads the credentials file', async () => {
  const profile = panel().getByLabel('Profile name');
  const download = panel().getByRole('button', { name: 'Download credentials file' });

  await profile.fill('-starts-with-dash');
  await expect(profile).toHaveAttribute('aria-invalid', 'true');
  await expect(panel()).toContainText('cannot start with -');
  await expect(download).toBeDisabled();
  await profile.fill('two words]\n[evil');
  await expect(panel()).toContainText('Use 1 to 64 letters');
  await expect(download).toBeDisabled();

  await profile.fill('e2e.readonly');
  await expect(profile).not.toHaveAttribute('aria-invalid', 'true');
  expect(await showTab('Credentials file')).toMatch(/^\[e2e\.readonly\]$/m);
  expect(await showTab('credential_process config')).toMatch(/^\[profile e2e\.readonly\]$/m);
  const json = JSON.parse(await showTab('JSON')) as CredentialsJson;
  expect(json.profile).toBe('e2e.readonly');

  const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
  expect(file.suggestedFilename()).toBe('credentials');
  const text = readFileSync(await file.path(), 'utf8');
  const ini = parseIni(text);
  expect(Object.keys(ini)).toEqual(['e2e.readonly']);
  expect(ini['e2e.readonly']).toEqual({
    aws_access_key_id: json.accessKeyId,
    aws_secret_access_key: json.secretAccessKey,
    aws_session_token: json.sessionToken,
  });
});

test('counts down to the expiry, live', async () => {
  const countdown = panel().getByTestId('credentials-countdown');
  const first = parseCountdown(await countdown.textContent());
  expect(first).toBeGreaterThan(3500);
  expect(first).toBeLessThanOrEqual(3600);
  await expect.poll(async () => parseCountdown(await countdown.textContent()), { timeout: 5000 }).toBeLessThan(first);
});

test('keeps credentials out of storage and the address bar', async () => {
  const json = JSON.parse(await showTab('JSON')) as CredentialsJson;
  const stored = await page.evaluate(() =>
    JSON.stringify([{ ...localStorage }, { ...sessionStorage }, document.cookie]),
  );
  expect(stored).not.toContain(json.secretAccessKey);
  expect(stored).not.toContain(json.sessionToken);
  expect(page.url()).not.toContain(json.accessKeyId);
});

test('gets credentials with a new code', async () => {
  test.setTimeout(90_000);
  const target = roles.find((r) => r.mfaMaxAgeSeconds !== null) ?? role;
  if (target.alias !== role.alias) {
    await card(role.alias).getByRole('button', { name: 'Close' }).click();
    await expect(panel()).toHaveCount(0);
    await card(target.alias).getByRole('button', { name: 'Get credentials', exact: true }).click();
  }
  await card(target.alias).getByRole('button', { name: 'Get credentials with a new code' }).click();
  const codeField = card(target.alias).getByLabel('New MFA code');
  await expect(codeField).toBeFocused();
  await codeField.fill(await freshCode(alice));
  await card(target.alias).getByRole('button', { name: 'Get credentials with this code' }).click();
  await expect(panel()).toBeVisible();
  const json = JSON.parse(await showTab('JSON')) as CredentialsJson;
  expect(json.roleArn).toBe(target.roleArn);
  expect(json.sourceIdentity).toBe('alice');
});

test('shows my own MFA session credentials', async () => {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My MFA session' }).click();
  await expect(page).toHaveURL(/\/session$/);
  await expect(page.getByRole('heading', { level: 1, name: 'My MFA session' })).toBeFocused();
  await expect(page.getByTestId('session-countdown')).toHaveText(/^in \d+:\d\d:\d\d$/);
  await page.getByRole('button', { name: 'Get my MFA session credentials' }).click();
  await expect(panel()).toBeVisible();
  const json = JSON.parse(await showTab('JSON')) as CredentialsJson;
  expect(json.userName).toBe('alice');
  expect(json.roleArn).toBeNull();
  expect(await showTab('bash/zsh')).toContain(`export AWS_ACCESS_KEY_ID=${json.accessKeyId}\n`);
  expect(await showTab('Credentials file')).toMatch(/^\[[\w.@+=,-]+\]$/m);
});

test('signs out, clearing the credentials, and keeps signed-out visitors on sign-in', async () => {
  await expect(panel()).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('end-notice')).toContainText('You signed out');
  await expect(panel()).toHaveCount(0);
  await expect(page.locator('body')).not.toContainText('ASIA');

  expect((await page.request.get('/api/v1/session')).status()).toBe(401);
  await page.goto('/roles');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await expect(page).toHaveURL(/\/$/);
  // The signed-out session check answers 401, which Chromium logs; anything else is a fault.
  expect(consoleErrors.filter((text) => !/status of 401/.test(text))).toEqual([]);
});

function parseIni(text: string): Record<string, Record<string, string>> {
  const sections: Record<string, Record<string, string>> = {};
  let current: Record<string, string> | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = sections[header[1]!] = {};
      continue;
    }
    const pair = /^([\w]+)\s*=\s*(.*)$/.exec(line);
    if (!pair || !current) throw new Error(`Unexpected line in the credentials file: ${line.slice(0, 40)}`);
    current[pair[1]!] = pair[2]!;
  }
  return sections;
}

function parseCountdown(text: string | null): number {
  const match = /in (?:(\d+):)?(\d+):(\d\d)/.exec(text ?? '');
  if (!match) throw new Error(`Not a countdown: ${text}`);
  return Number(match[1] ?? 0) * 3600 + Number(match[2]) * 60 + Number(match[3]);
}
