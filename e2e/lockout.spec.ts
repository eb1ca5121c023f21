import { expect, type Page, test } from '@playwright/test';
import { demoUser } from './support/demo-users.ts';
import { wrongCode } from './support/totp.ts';

/**
 * Wrong codes and the lockout they lead to. The portal counts failures per user and per source
 * address, and every test comes from 127.0.0.1, so this file runs last (its own Playwright project,
 * after the others): once the address is locked, nobody here can sign in for the window.
 */

test.describe.configure({ mode: 'serial' });

async function submit(page: Page, userName: string, code: string) {
  await page.getByLabel('IAM user name').fill(userName);
  await page.getByLabel('MFA code', { exact: true }).fill(code);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('says to wait for the next code when AWS rejects one', async ({ page }) => {
  const alice = demoUser('alice');
  await page.goto('/');
  await submit(page, alice.userName, await wrongCode(alice));
  const error = page.getByTestId('sign-in-error');
  await expect(error).toContainText('did not accept that code');
  await expect(error).toContainText('Wait for the next code');
  // The spent code is cleared and the cursor is back in the field for the next one.
  await expect(page.getByLabel('MFA code', { exact: true })).toHaveValue('');
  await expect(page.getByLabel('MFA code', { exact: true })).toBeFocused();
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
});

test('locks sign-in after repeated wrong codes and says for how long', async ({ page }) => {
  test.setTimeout(60_000);
  const erin = demoUser('erin');
  await page.goto('/');
  const error = page.getByTestId('sign-in-error');
  let locked = false;
  for (let attempt = 0; attempt < 8 && !locked; attempt++) {
    await submit(page, erin.userName, await wrongCode(erin));
    await expect(error).toBeVisible();
    locked = ((await error.textContent()) ?? '').includes('locked');
    if (!locked) await expect(error).toContainText('did not accept that code');
  }
  expect(locked).toBe(true);
  await expect(error).toContainText(/Sign-in is locked for \d+ (minute|second)s?/);
});
