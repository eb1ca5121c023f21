import { expect, test } from '@playwright/test';
import { demoUser } from './support/demo-users.ts';
import { signInThroughApi } from './support/portal-api.ts';
import { freshCode } from './support/totp.ts';

/**
 * An admin revokes a user's AWS sessions from "User access": the user's open browser session (a
 * second browser context) is signed out on its next request, the AWS credentials they held stop
 * working, and they can sign in again. Then the user side: "Your AWS credentials" lists what the
 * portal gave them.
 */

const frank = demoUser('frank');
const carol = demoUser('carol');

test.describe.configure({ mode: 'serial' });
test.setTimeout(120_000);

test("an admin revokes a user's AWS sessions; the user's open session is signed out on its next request", async ({
  page,
  browser,
}) => {
  const baseURL = test.info().project.use.baseURL;
  const frankContext = await browser.newContext({ baseURL });
  const frankPage = await frankContext.newPage();
  await signInThroughApi(frankPage.request, frank);
  await frankPage.goto('/devices');
  await expect(frankPage.getByRole('heading', { level: 2, name: 'Your AWS credentials' })).toBeVisible();

  // Credentials frank holds from before the revocation (one-shot, with a code).
  const issued = await frankPage.request.post('/api/v1/credentials', {
    data: { userName: frank.userName, code: await freshCode(frank), role: 'readonly', format: 'json' },
  });
  expect(issued.status(), await issued.text()).toBe(200);

  await signInThroughApi(page.request, carol);
  await page.goto('/admin/users');
  await page.getByLabel('IAM user name').fill('frank');
  await page.getByRole('button', { name: 'Show access' }).click();
  await page.getByRole('button', { name: 'Revoke AWS sessions of frank' }).click();
  await page.getByRole('button', { name: 'Yes, revoke' }).click();
  await expect(page.getByTestId('revocation-message')).toContainText('Revoked the AWS sessions of frank on');

  // frank's next request finds his session gone: the app shows the sign-in page.
  await frankPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Roles' }).click();
  await expect(frankPage.getByRole('heading', { level: 1, name: /sign in/i })).toBeVisible();
  expect((await frankPage.request.get('/api/v1/session')).status()).toBe(401);

  // He signs in again and sees the credentials from before as revoked.
  await signInThroughApi(frankPage.request, frank);
  await frankPage.goto('/devices');
  const table = frankPage.getByTestId('my-credentials');
  await expect(table).toContainText('readonly');
  await expect(table).toContainText('revoked');
  await frankContext.close();
});
