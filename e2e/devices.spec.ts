import { type APIRequestContext, expect, type Page, test } from '@playwright/test';
import { secretLedgerFromEnv } from '../emulator/src/secret-ledger.ts';
import { type DemoUser, demoUser } from './support/demo-users.ts';
import { signInThroughApi } from './support/portal-api.ts';
import { freshCode } from './support/totp.ts';

/**
 * "Devices and tokens": erin sees the CLI tokens she made (when, from where, last used), revokes
 * one and signs out everywhere; each ended token is refused at its next request. Then carol, the
 * admin, revokes a token of frank's and unenrolls him from "User access" (and enrolls him again
 * through the API, for the specs after this one).
 */

const erin = demoUser('erin');
const frank = demoUser('frank');
const carol = demoUser('carol');

test.describe.configure({ mode: 'serial' });
// Every token and sign-in spends a fresh code; a user gets about two per 30 s.
test.setTimeout(120_000);

async function createToken(request: APIRequestContext, user: DemoUser, userAgent: string): Promise<string> {
  const response = await request.post('/api/v1/cli-tokens', {
    headers: { 'user-agent': userAgent },
    data: { userName: user.userName, code: await freshCode(user) },
  });
  expect(response.status(), await response.text()).toBe(201);
  const { token } = (await response.json()) as { token: string };
  secretLedgerFromEnv()?.record('cli_token', token);
  return token;
}

async function tokenAnswer(request: APIRequestContext, token: string): Promise<{ status: number; error?: string }> {
  const response = await request.get('/api/v1/credentials/process?role=readonly', {
    headers: { authorization: `Bearer ${token}` },
  });
  const body = (await response.json()) as { error?: string };
  return { status: response.status(), ...(body.error ? { error: body.error } : {}) };
}

const tokenRows = (page: Page) => page.getByTestId('cli-token-row');

test('the owner sees where each token came from, revokes one, and signs out everywhere', async ({
  page,
  playwright,
}) => {
  // The tokens are made by "another device": a request context without the browser's cookie.
  const device = await playwright.request.newContext({ baseURL: test.info().project.use.baseURL });
  const laptop = await createToken(device, erin, 'aws-mfa-portal-credentials/1.0 (e2e laptop)');
  expect((await tokenAnswer(device, laptop)).status).toBe(200);

  await signInThroughApi(page.request, erin);
  await page.goto('/roles');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
  await expect(page).toHaveURL(/\/devices$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Devices and tokens' })).toBeFocused();
  await expect(tokenRows(page)).toHaveCount(1);
  const row = tokenRows(page).first();
  await expect(row).toContainText('aws-mfa-portal-credentials/1.0 (e2e laptop)');
  await expect(row).toContainText('127.0.0.1');
  await expect(row).toHaveAttribute('data-status', 'active');
  await expect(row.locator('td[data-label="Last used"]')).not.toHaveText('never');

  await row.getByRole('button', { name: /^Revoke/ }).click();
  await expect(page.getByRole('status').getByText('Token revoked')).toBeVisible();
  await expect(row).toHaveAttribute('data-status', 'revoked');
  await expect(row.getByRole('button', { name: /^Revoke/ })).toHaveCount(0);
  expect(await tokenAnswer(device, laptop)).toEqual({ status: 401, error: 'invalid_token' });

  const desktop = await createToken(device, erin, 'aws-mfa-portal-credentials/1.0 (e2e desktop)');
  await page.reload();
  await expect(tokenRows(page)).toHaveCount(2);
  await expect(tokenRows(page).first()).toContainText('e2e desktop');

  await page.getByRole('button', { name: 'Sign out everywhere' }).click();
  await page.getByRole('button', { name: 'Yes, sign out everywhere' }).click();
  await expect(page.getByTestId('end-notice')).toContainText('You signed out everywhere');
  await expect(page).toHaveURL(/\/$/);
  expect(await tokenAnswer(device, desktop)).toEqual({ status: 401, error: 'invalid_token' });
  expect((await page.request.get('/api/v1/session')).status()).toBe(401);
  await device.dispose();
});

test("an admin revokes a user's token and unenrolls the user from User access", async ({ page, playwright }) => {
  const device = await playwright.request.newContext({ baseURL: test.info().project.use.baseURL });
  const token = await createToken(device, frank, 'aws-mfa-portal-credentials/1.0 (frank e2e)');
  const admin = await signInThroughApi(page.request, carol);

  await page.goto('/admin/users');
  await expect(page.getByRole('heading', { level: 1, name: 'User access' })).toBeVisible();
  await page.getByLabel('IAM user name').fill('frank');
  await page.getByRole('button', { name: 'Show access' }).click();
  await expect(page.getByRole('heading', { name: 'CLI tokens of frank' })).toBeVisible();
  const active = page.locator('[data-testid="cli-token-row"][data-status="active"]', { hasText: 'frank e2e' });
  await expect(active).toHaveCount(1);
  await active.getByRole('button', { name: /^Revoke/ }).click();
  await expect(page.getByRole('status').getByText('Revoked a token of frank.')).toBeVisible();
  await expect(page.locator('[data-testid="cli-token-row"][data-status="active"]')).toHaveCount(0);
  expect(await tokenAnswer(device, token)).toEqual({ status: 401, error: 'invalid_token' });

  // A fresh token and a browser session of frank's end with his unenrollment.
  const another = await createToken(device, frank, 'aws-mfa-portal-credentials/1.0 (frank e2e again)');
  const frankBrowser = await playwright.request.newContext({ baseURL: test.info().project.use.baseURL });
  await signInThroughApi(frankBrowser, frank);
  await page.getByRole('button', { name: 'Unenroll frank' }).click();
  await page.getByRole('button', { name: 'Yes, unenroll' }).click();
  await expect(page.getByTestId('access-message')).toContainText(
    "Unenrolled frank: deleted the portal's key and ended 1 browser sessions",
  );
  expect(await tokenAnswer(device, another)).toEqual({ status: 401, error: 'invalid_token' });
  expect((await frankBrowser.get('/api/v1/session')).status()).toBe(401);

  const enrolled = await page.request.post('/api/v1/admin/users/frank/enroll', {
    headers: { 'x-csrf-token': admin.csrfToken },
  });
  expect(enrolled.status(), await enrolled.text()).toBe(201);
  await device.dispose();
  await frankBrowser.dispose();
});
