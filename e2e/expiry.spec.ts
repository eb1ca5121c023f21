import { expect, test } from '@playwright/test';
import { demoUser } from './support/demo-users.ts';
import { longestRole, myRoles, signInThroughApi } from './support/portal-api.ts';

/**
 * Time runs out: the page's clock is fast-forwarded (Playwright's clock emulation), first past
 * the credentials' expiry, then past the session's. The credentials leave the page, then the app
 * goes back to sign-in by itself and says why.
 */

test('clears expired credentials, then returns to sign-in when the session ends', async ({ page }) => {
  test.setTimeout(90_000);
  await page.clock.install();
  const session = await signInThroughApi(page.request, demoUser('alice'));
  const role = longestRole(await myRoles(page.request));

  await page.goto('/roles');
  await expect(page.getByRole('heading', { level: 1, name: 'Roles' })).toBeVisible();
  const card = page.locator(`[data-testid="role-card"][data-role="${role.alias}"]`);
  await card.getByRole('button', { name: 'Get credentials', exact: true }).click();
  await card.getByLabel('Duration').selectOption('900');
  await card.locator('form').getByRole('button', { name: 'Get credentials', exact: true }).click();
  const panel = page.getByTestId('credential-panel');
  await expect(panel.getByTestId('credentials-countdown')).toHaveText(/^in 1[45]:\d\d$/);

  // Just before the end the countdown is still running...
  await page.clock.fastForward('14:00');
  await expect(panel.getByTestId('credentials-countdown')).toHaveText(/^in [01]:\d\d$/);
  // ...and once the credentials expire they are gone from the page.
  await page.clock.fastForward('01:30');
  await expect(panel).toHaveCount(0);
  await expect(page.getByTestId('credentials-expired')).toContainText('expired');
  await expect(page.locator('body')).not.toContainText('ASIA');

  // The MFA session ends later: the app returns to sign-in, explains, and forgets the user.
  const untilSessionEnd = Date.parse(session.expiresAt) - (await page.evaluate(() => Date.now()));
  await page.clock.fastForward(untilSessionEnd + 2000);
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('end-notice')).toContainText('Your MFA session ended');
  await expect(page.getByTestId('signed-in-user')).toHaveCount(0);
  await expect(page.getByTestId('role-card')).toHaveCount(0);
  // The app also told the server, so a reload does not bring the session back.
  await expect.poll(async () => (await page.request.get('/api/v1/session')).status()).toBe(401);
});

test('returns to sign-in when the server has ended the session behind the page', async ({ page }) => {
  test.setTimeout(90_000);
  // carol, not alice: another MFA device, so no wait for alice's next code.
  const session = await signInThroughApi(page.request, demoUser('carol'));
  const role = longestRole(await myRoles(page.request));
  await page.goto('/roles');
  const card = page.locator(`[data-testid="role-card"][data-role="${role.alias}"]`);
  await card.getByRole('button', { name: 'Get credentials', exact: true }).click();

  // Signed out elsewhere (another tab, or the session expired on the server): the page still
  // shows the roles, and learns at its next request.
  const signOut = await page.request.delete('/api/v1/session', { headers: { 'x-csrf-token': session.csrfToken } });
  expect(signOut.status()).toBe(204);
  await card.locator('form').getByRole('button', { name: 'Get credentials', exact: true }).click();

  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await expect(page.getByTestId('end-notice')).toContainText('Your session has ended');
  await expect(page.getByTestId('credential-panel')).toHaveCount(0);
  await expect(page.getByTestId('signed-in-user')).toHaveCount(0);
});
