import { expect, type Page, test } from '@playwright/test';
import { demoUser } from './support/demo-users.ts';
import { longestRole, myRoles, signInThroughApi } from './support/portal-api.ts';
import { expectNoAxeViolations, expectNoHorizontalOverflow, saveScreens, VIEWPORTS } from './support/screens.ts';

/**
 * Every screen, light and dark, at phone and desktop width: an axe-core scan, a check that
 * nothing overflows sideways, and a screenshot in e2e/artifacts/ for people to look at.
 * axe is injected as a script, which the portal's CSP rightly forbids, so only this file's
 * contexts bypass CSP; the other specs run under the real policy.
 */

test.use({ bypassCSP: true });
test.describe.configure({ mode: 'serial' });

async function checkScreen(page: Page, name: string) {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize(VIEWPORTS.phone);
    await expectNoHorizontalOverflow(page);
    await expectNoAxeViolations(page);
    await page.setViewportSize(VIEWPORTS.desktop);
    await expectNoAxeViolations(page);
    await saveScreens(page, scheme === 'light' ? name : `${name}-dark`);
  }
}

test('sign-in, its validation messages and the not-found page', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await checkScreen(page, '01-sign-in');

  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText('Enter your IAM user name.')).toBeVisible();
  await checkScreen(page, '02-sign-in-invalid');

  await page.goto('/no/such/page');
  await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
  await checkScreen(page, '03-not-found');
});

test('roles, the credential panel and my MFA session', async ({ page }) => {
  test.setTimeout(120_000);
  await signInThroughApi(page.request, demoUser('alice'));
  const role = longestRole(await myRoles(page.request));

  await page.goto('/roles');
  await expect(page.getByTestId('role-card').first()).toBeVisible();
  await checkScreen(page, '04-roles');

  const card = page.locator(`[data-testid="role-card"][data-role="${role.alias}"]`);
  await card.getByRole('button', { name: 'Get credentials', exact: true }).click();
  await card.getByRole('button', { name: 'Get credentials with a new code' }).click();
  await checkScreen(page, '05-role-request');

  await card.locator('form').first().getByRole('button', { name: 'Get credentials', exact: true }).click();
  await expect(page.getByTestId('credential-panel')).toBeVisible();
  await checkScreen(page, '06-credentials');

  await page.getByRole('link', { name: 'My MFA session' }).click();
  await page.getByRole('button', { name: 'Get my MFA session credentials' }).click();
  await expect(page.getByTestId('credential-panel')).toBeVisible();
  await checkScreen(page, '07-mfa-session');
});
