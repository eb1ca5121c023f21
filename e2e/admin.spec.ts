/// <reference lib="dom" />
// Callbacks passed to page.evaluate() run in the browser.
import { readFileSync } from 'node:fs';
import { type Browser, type BrowserContext, type Download, expect, type Page, test } from '@playwright/test';
import { generate } from 'otplib';
import type { AuditEvent, CatalogRoles, CompliancePage } from '../server/src/routes/admin-schemas.ts';
import { demoUser } from './support/demo-users.ts';
import { signInThroughApi } from './support/portal-api.ts';
import { expectNoAxeViolations, expectNoHorizontalOverflow, saveScreens, VIEWPORTS } from './support/screens.ts';
import { freshCode } from './support/totp.ts';

/**
 * The admin console, as carol (the demo's admin, hardware MFA) uses it: she finds the users
 * without MFA and hands bob a setup link; bob, in another browser, sets up his MFA device from
 * the secret on that page; carol enrolls him and he signs in to the portal. Then the audit log
 * (filters, exports, hash chain) and the role catalog; a non-admin gets neither screens nor API.
 * These contexts keep the portal's real CSP; the screenshot/axe test uses a CSP-bypassing copy.
 */

const carol = demoUser('carol');
const alice = demoUser('alice');

const STEP_SECONDS = 30;
const stepNow = () => Math.floor(Date.now() / 1000 / STEP_SECONDS);
const codeAtStep = (secret: string, step: number) => generate({ secret, epoch: step * STEP_SECONDS });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test.describe.configure({ mode: 'serial' });

let admin: BrowserContext;
let page: Page;
/** The step of bob's second setup code: his sign-in code must come from a later step. */
let bobSetupStep = 0;
let bobSecret = '';
let bobSetupUrl = '';
const consoleErrors: string[] = [];

const newContext = (
  browser: Browser,
  baseURL: string | undefined,
  options: Parameters<Browser['newContext']>[0] = {},
) => browser.newContext({ baseURL, acceptDownloads: true, ...options });

test.beforeAll(async ({ browser }, testInfo) => {
  admin = await newContext(browser, testInfo.project.use.baseURL, {
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  page = await admin.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
});

test.afterAll(async () => {
  await admin.close();
});

const row = (userName: string) => page.locator(`[data-testid="compliance-row"][data-user="${userName}"]`);

async function downloadedText(download: Download): Promise<string> {
  return readFileSync(await download.path(), 'utf8');
}

/** RFC 4180 enough for the portal's exports: quoted fields may hold commas, quotes and newlines. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let field = '';
  let current: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      current.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      current.push(field);
      rows.push(current);
      current = [];
      field = '';
    } else field += char;
  }
  if (field !== '' || current.length > 0) rows.push([...current, field]);
  return rows;
}

test('an admin signs in with her hardware MFA code and finds the users without MFA', async () => {
  test.setTimeout(90_000);
  await page.goto('/');
  await page.getByLabel('IAM user name').fill(carol.userName);
  await page.getByLabel('MFA code', { exact: true }).fill(await freshCode(carol));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/roles$/);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByRole('heading', { level: 1, name: 'MFA compliance' })).toBeFocused();
  await expect(page.getByTestId('scanned-at')).toContainText('Last scan:');

  // The cards say what the API's snapshot says.
  const api = (await (await page.request.get('/api/v1/admin/compliance')).json()) as CompliancePage;
  const summary = api.summary!;
  await expect(page.getByTestId('card-users')).toContainText(String(summary.users));
  await expect(page.getByTestId('card-with-mfa')).toContainText(
    `${Math.round((summary.withMfa / summary.users) * 100)}%`,
  );
  await expect(page.getByTestId('card-console-without-mfa')).toContainText(String(summary.consoleWithoutMfa));
  await expect(page.getByTestId('card-keys-work-without-mfa')).toContainText(String(summary.keysWorkWithoutMfa));
  await expect(page.getByTestId('card-root-mfa')).toContainText(summary.rootMfa ? 'On' : 'Off');
  await expect(row('alice')).toBeVisible();

  // "Scan now" reads the account again and the dashboard moves to the new snapshot.
  const scannedAt = page.getByTestId('scanned-at');
  const firstScan = await scannedAt.getAttribute('data-scan-id');
  expect(firstScan).toBeTruthy();
  await page.getByRole('button', { name: 'Scan now' }).click();
  await expect(scannedAt).not.toHaveAttribute('data-scan-id', firstScan!, { timeout: 15_000 });
  await expect(page.getByRole('button', { name: 'Scan now' })).toBeEnabled();

  // By keyboard: Tab from "All users" to the next filter shows the focus ring; Enter applies it.
  const noMfa = page.getByRole('button', { name: 'No MFA device' });
  await page.getByRole('button', { name: 'All users' }).focus();
  await page.keyboard.press('Tab');
  await expect(noMfa).toBeFocused();
  expect(await noMfa.evaluate((el) => getComputedStyle(el).outlineStyle)).toBe('solid');
  await page.keyboard.press('Enter');
  await expect(noMfa).toHaveAttribute('aria-pressed', 'true');
  await expect(row('alice')).toHaveCount(0);
  await expect(row('bob')).toBeVisible();
  await expect(row('dave')).toBeVisible();
  for (const badge of await page.getByTestId('compliance-row').all()) await expect(badge).toContainText('No MFA');

  // Search narrows the same filter down to one user.
  await page.getByLabel('Search users').fill('bo');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page.getByTestId('compliance-row')).toHaveCount(1);
  await expect(row('bob')).toBeVisible();

  // The CSV export follows the filter and the search.
  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download CSV' }).click(),
  ]);
  expect(csv.suggestedFilename()).toBe('mfa-compliance.csv');
  const rows = parseCsv(await downloadedText(csv));
  expect(rows[0]).toContain('user_name');
  expect(rows.slice(1).map((r) => r[0])).toEqual(['bob']);
});

test('creates a one-time MFA setup link for bob, with its expiry and a copy button', async () => {
  await row('bob').getByRole('button', { name: 'Create MFA setup link for bob' }).click();
  const notice = page.locator('[data-testid="setup-link"][data-user="bob"]');
  await expect(notice).toContainText('valid until');
  bobSetupUrl = (await notice.getByTestId('setup-link-url').textContent())?.trim() ?? '';
  expect(bobSetupUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mfa-setup#[\w-]{43}$/);
  await notice.getByRole('button', { name: 'Copy the setup link for bob' }).click();
  await expect(notice.getByText('Copied')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(bobSetupUrl);
});

test('bob opens the link in his own browser and turns on MFA with two consecutive codes', async ({
  browser,
}, testInfo) => {
  test.setTimeout(90_000);
  const bobContext = await newContext(browser, testInfo.project.use.baseURL);
  const bobPage = await bobContext.newPage();
  const bobErrors: string[] = [];
  bobPage.on('console', (message) => {
    if (message.type() === 'error') bobErrors.push(message.text());
  });
  await bobPage.goto(bobSetupUrl);
  await expect(bobPage.getByRole('heading', { level: 1, name: 'Set up MFA' })).toBeVisible();
  await expect(bobPage.getByTestId('setup-user')).toHaveText('bob');
  // The QR code is a data: image, which the CSP allows: it must actually render.
  const qr = bobPage.getByRole('img', { name: 'QR code for the MFA device of bob' });
  await expect(qr).toBeVisible();
  expect(await qr.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);

  // The secret as a person reads it off the page (grouped in fours).
  bobSecret = ((await bobPage.getByTestId('setup-secret').textContent()) ?? '').replace(/\s+/g, '');
  expect(bobSecret).toMatch(/^[A-Z2-7]{16,}$/);

  // The first open bound the link to bob's browser: the same link anywhere else shows no secret.
  const otherContext = await newContext(browser, testInfo.project.use.baseURL);
  const otherPage = await otherContext.newPage();
  await otherPage.goto(bobSetupUrl);
  await expect(otherPage.getByTestId('setup-problem')).toContainText('already opened in another browser');
  await expect(otherPage.getByTestId('setup-secret')).toHaveCount(0);
  await otherContext.close();
  // bob's own browser still may: a reload shows the same secret.
  await bobPage.reload();
  await expect(bobPage.getByTestId('setup-secret')).toHaveAttribute('data-secret', bobSecret);

  // Mistakes first: the page says what is wrong in plain words, and the link stays usable.
  await bobPage.getByLabel('First code').fill('000000');
  await bobPage.getByLabel('Next code').fill('000000');
  await bobPage.getByRole('button', { name: 'Turn on MFA' }).click();
  await expect(bobPage.getByText('The next code is a new one')).toBeVisible();
  await bobPage.getByLabel('First code').fill('000000');
  await bobPage.getByLabel('Next code').fill('000001');
  await bobPage.getByRole('button', { name: 'Turn on MFA' }).click();
  await expect(bobPage.getByTestId('setup-error')).toContainText('Wait for a new code, then enter two codes in a row.');

  // Stay clear of a step boundary so both codes are from the steps the emulator checks.
  if (Date.now() / 1000 - stepNow() * STEP_SECONDS > STEP_SECONDS - 3) await sleep(4000);
  bobSetupStep = stepNow();
  await bobPage.getByLabel('First code').fill(await codeAtStep(bobSecret, bobSetupStep - 1));
  await bobPage.getByLabel('Next code').fill(await codeAtStep(bobSecret, bobSetupStep));
  await bobPage.getByRole('button', { name: 'Turn on MFA' }).click();
  await expect(bobPage.getByTestId('setup-done')).toContainText('MFA is now on for bob');

  // The link is spent: opening it again explains that.
  await bobPage.goto('/');
  await bobPage.goto(bobSetupUrl);
  await expect(bobPage.getByTestId('setup-problem')).toContainText('not valid');
  expect(bobErrors.filter((text) => !/status of (400|401|404|410)/.test(text))).toEqual([]);
  await bobContext.close();
});

test('the dashboard shows bob with MFA at once; the admin enrolls him and he signs in to the portal', async ({
  browser,
}, testInfo) => {
  test.setTimeout(90_000);
  await page.getByRole('button', { name: 'All users' }).click();
  await page.getByLabel('Search users').fill('');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(row('bob')).toContainText('Virtual');
  await expect(row('bob')).toContainText('Not enrolled');
  await row('bob').getByRole('button', { name: 'Enroll bob in portal' }).click();
  await expect(row('bob')).toContainText('Enrolled');
  await expect(row('bob')).toContainText('Nothing to do');
  // bob's keys work without MFA (his policies do not force it): the console warns about that.
  await expect(page.getByTestId('keys-without-mfa-warning')).toContainText("bob's keys work without MFA");

  // Bob signs in with a code from a step after his setup codes (a step is never accepted twice).
  const bobContext = await newContext(browser, testInfo.project.use.baseURL);
  const bobPage = await bobContext.newPage();
  await bobPage.goto('/');
  await bobPage.getByLabel('IAM user name').fill('bob');
  await bobPage
    .getByLabel('MFA code', { exact: true })
    .fill(await codeAtStep(bobSecret, Math.max(bobSetupStep + 1, stepNow())));
  await bobPage.getByRole('button', { name: 'Sign in' }).click();
  await expect(bobPage).toHaveURL(/\/roles$/);
  await expect(bobPage.getByTestId('signed-in-user')).toHaveText('bob');
  // Bob is no admin: no admin link for him.
  await expect(bobPage.getByRole('link', { name: 'Admin' })).toHaveCount(0);
  await bobContext.close();
});

test('the audit log filters by user, action and outcome, exports CSV and JSON, and checks the hash chain', async () => {
  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(page).toHaveURL(/\/admin\/audit$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeFocused();
  await expect(page.getByTestId('chain-status')).toContainText('Hash chain intact');
  await expect(page.getByTestId('audit-row').first()).toBeVisible();

  // Cursor paging, newest first: page 2 holds older events than page 1, and "Newer events" comes back.
  await page.getByLabel('Events per page').selectOption('10');
  await expect(page.getByTestId('audit-row')).toHaveCount(10);
  const firstPageTop = await page.getByTestId('audit-row').first().textContent();
  await page.getByRole('button', { name: 'Older events' }).click();
  await expect(page.getByText(/^Page 2: \d+ events?, newest first$/)).toBeVisible();
  await expect(page.getByTestId('audit-row').first()).not.toHaveText(firstPageTop ?? '');
  await page.getByRole('button', { name: 'Newer events' }).click();
  await expect(page.getByText(/^Page 1: 10 events, newest first$/)).toBeVisible();
  await expect(page.getByTestId('audit-row').first()).toHaveText(firstPageTop ?? '');
  await page.getByLabel('Events per page').selectOption('50');

  await page.getByLabel('User').fill('bob');
  await page.getByLabel('Action').selectOption({ label: 'MFA setup completed' });
  await page.getByLabel('Outcome').selectOption('success');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByTestId('audit-row')).toHaveCount(1);
  const shown = page.getByTestId('audit-row').first();
  await expect(shown).toHaveAttribute('data-actor', 'bob');
  await expect(shown).toHaveAttribute('data-action', 'mfa_setup.complete');

  // Bob's only sign-in went through: no failed sign-in of his.
  await page.getByLabel('Action').selectOption({ label: 'Sign-in' });
  await page.getByLabel('Outcome').selectOption('failure');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByText('No event matches these filters.')).toBeVisible();

  await page.getByLabel('Outcome').selectOption('');
  await page.getByLabel('Action').selectOption('');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByTestId('audit-row').first()).toBeVisible();
  const bobEvents = await page.getByTestId('audit-row').count();
  expect(bobEvents).toBeGreaterThanOrEqual(3);

  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download CSV' }).click(),
  ]);
  expect(csv.suggestedFilename()).toBe('audit-log.csv');
  const rows = parseCsv(await downloadedText(csv));
  const header = rows[0]!;
  expect(header.slice(0, 5)).toEqual(['seq', 'time', 'actor', 'action', 'outcome']);
  const body = rows.slice(1);
  expect(body).toHaveLength(bobEvents);
  expect(new Set(body.map((r) => r[header.indexOf('actor')]))).toEqual(new Set(['bob']));
  expect(body.map((r) => r[header.indexOf('action')])).toEqual(
    expect.arrayContaining(['mfa_setup.complete', 'session.sign_in']),
  );

  const [json] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download JSON' }).click(),
  ]);
  expect(json.suggestedFilename()).toBe('audit-log.json');
  const events = JSON.parse(await downloadedText(json)) as AuditEvent[];
  expect(events).toHaveLength(bobEvents);
  expect(events.every((e) => e.actor === 'bob')).toBe(true);
  expect(events.map((e) => e.seq)).toEqual(body.map((r) => Number(r[0])));

  // A time range that ends before any event: nothing.
  await page.getByLabel('User').fill('');
  await page.getByLabel('From').fill('2001-01-01T00:00');
  await page.getByLabel('To').fill('2001-01-02T00:00');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByText('No event matches these filters.')).toBeVisible();
  await page.getByRole('button', { name: 'Clear' }).click();
  await expect(page.getByTestId('audit-row').first()).toBeVisible();
});

test('the role catalog flags trust policies, and adds (imported from IAM), edits and removes a role', async () => {
  await page.getByRole('link', { name: 'Role catalog' }).click();
  await expect(page).toHaveURL(/\/admin\/roles$/);
  await expect(page.getByTestId('catalog-role').first()).toBeVisible();
  const listed = (await (await page.request.get('/api/v1/admin/roles')).json()) as CatalogRoles;
  for (const role of listed.roles) {
    const card = page.locator(`[data-testid="catalog-role"][data-role="${role.alias}"]`);
    const badge =
      role.trustRequiresMfa === true
        ? 'Trust requires MFA'
        : role.trustRequiresMfa === false
          ? 'Trust does not require MFA'
          : 'Trust policy not readable';
    await expect(card).toContainText(badge);
  }

  await page.getByRole('button', { name: 'Add a role' }).click();
  const importSelect = page.getByLabel('Import from IAM');
  await expect(importSelect).toBeFocused();
  await expect(importSelect.locator('option')).not.toHaveCount(1);
  const readOnly = importSelect.locator('option', { hasText: 'ReadOnly' }).first();
  await importSelect.selectOption((await readOnly.getAttribute('value')) ?? '');
  await expect(page.getByLabel('Role ARN')).toHaveValue(/:role\/ReadOnly$/);
  await page.getByLabel('Alias').fill('e2e-imported');
  await page.getByRole('button', { name: 'Add role' }).click();
  await expect(page.getByText('Say who may request the role')).toBeVisible();
  await page.getByLabel('IAM groups allowed').fill('portal-admins');
  await page.getByRole('button', { name: 'Add role' }).click();
  const added = page.locator('[data-testid="catalog-role"][data-role="e2e-imported"]');
  await expect(added).toBeVisible();
  await expect(page.getByText('Added e2e-imported.')).toBeVisible();

  await added.getByRole('button', { name: 'Edit' }).click();
  await added.getByLabel('Description').fill('Added by the browser tests');
  await added.getByRole('button', { name: 'Save changes' }).click();
  await expect(added).toContainText('Added by the browser tests');

  await added.getByRole('button', { name: 'Remove' }).click();
  await expect(added.getByRole('button', { name: 'Keep it' })).toBeFocused();
  await added.getByRole('button', { name: 'Remove e2e-imported' }).click();
  await expect(added).toHaveCount(0);
  await expect(page.getByText('Removed e2e-imported from the catalog.')).toBeVisible();
  // Nothing the CSP blocked, no failed request along the way (but the signed-out check before sign-in).
  expect(consoleErrors.filter((text) => !/status of 401/.test(text))).toEqual([]);
});

test('a non-admin sees no admin link, gets "admins only" at /admin, and 403 from the admin API', async ({
  page: alicePage,
}) => {
  test.setTimeout(60_000);
  await signInThroughApi(alicePage.request, alice);
  await alicePage.goto('/roles');
  await expect(alicePage.getByTestId('signed-in-user')).toHaveText('alice');
  await expect(alicePage.getByRole('link', { name: 'Admin' })).toHaveCount(0);
  for (const path of ['/admin', '/admin/audit', '/admin/roles']) {
    await alicePage.goto(path);
    await expect(alicePage.getByRole('heading', { level: 1, name: 'Admins only' })).toBeVisible();
    await expect(alicePage.getByTestId('admins-only')).toContainText('not one of them');
  }
  await saveScreens(alicePage, '27-admins-only');
  for (const path of ['/api/v1/admin/compliance', '/api/v1/admin/audit', '/api/v1/admin/roles']) {
    const response = await alicePage.request.get(path);
    expect(response.status()).toBe(403);
    expect(await response.json()).toMatchObject({ error: 'admin_required' });
  }
  const post = await alicePage.request.post('/api/v1/admin/users/dave/mfa-setup-links');
  expect(post.status()).toBe(403);
});

test('every admin screen passes axe at phone and desktop width, light and dark (screenshots in e2e/artifacts)', async ({
  browser,
}, testInfo) => {
  test.setTimeout(180_000); // ten screens, two schemes, two widths; the dashboard carries the CIS table too
  // axe is injected as a script, which the CSP forbids: a copy of the admin's session without it.
  const scan = await newContext(browser, testInfo.project.use.baseURL, {
    bypassCSP: true,
    storageState: await admin.storageState(),
  });
  const scanPage = await scan.newPage();

  async function checkScreen(name: string, on: Page = scanPage) {
    for (const scheme of ['light', 'dark'] as const) {
      await on.emulateMedia({ colorScheme: scheme });
      await on.setViewportSize(VIEWPORTS.phone);
      await expectNoHorizontalOverflow(on);
      await expectNoAxeViolations(on);
      await on.setViewportSize(VIEWPORTS.desktop);
      await expectNoAxeViolations(on);
      await saveScreens(on, scheme === 'light' ? name : `${name}-dark`);
    }
  }

  await scanPage.goto('/admin');
  await expect(scanPage.getByTestId('compliance-row').first()).toBeVisible();
  await checkScreen('20-admin-dashboard');

  await scanPage.getByRole('button', { name: 'No MFA device' }).click();
  await scanPage
    .locator('[data-testid="compliance-row"][data-user="dave"]')
    .getByRole('button', { name: 'Create MFA setup link for dave' })
    .click();
  const daveLink = (await scanPage.getByTestId('setup-link-url').textContent())?.trim() ?? '';
  await checkScreen('21-admin-setup-link');

  await scanPage.goto('/admin/audit');
  await expect(scanPage.getByTestId('audit-row').first()).toBeVisible();
  await expect(scanPage.getByTestId('chain-status')).toContainText('Hash chain intact');
  await checkScreen('22-admin-audit');

  await scanPage.goto('/admin/roles');
  await expect(scanPage.getByTestId('catalog-role').first()).toBeVisible();
  await checkScreen('23-admin-roles');
  await scanPage.getByRole('button', { name: 'Add a role' }).click();
  await expect(scanPage.getByLabel('Import from IAM').locator('option')).not.toHaveCount(1);
  await checkScreen('24-admin-role-add');

  // dave's setup page, opened signed out (the page is public).
  const visitor = await newContext(browser, testInfo.project.use.baseURL, { bypassCSP: true });
  const visitorPage = await visitor.newPage();
  await visitorPage.goto(daveLink);
  await expect(visitorPage.getByTestId('setup-secret')).toBeVisible();
  await checkScreen('25-mfa-setup', visitorPage);
  await visitorPage.getByLabel('First code').fill('12345');
  await visitorPage.getByRole('button', { name: 'Turn on MFA' }).click();
  await expect(visitorPage.getByText('An MFA code is 6 digits.')).toBeVisible();
  await saveScreens(visitorPage, '26-mfa-setup-invalid');
  await visitor.close();
  await scan.close();
});
