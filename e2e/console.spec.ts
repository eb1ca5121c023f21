import { expect, type Page, test } from '@playwright/test';
import { demoUser } from './support/demo-users.ts';
import { signInThroughApi } from './support/portal-api.ts';
import { freshCode } from './support/totp.ts';

/**
 * "Open console": from a role card, the browser goes through the portal's 302 to the AWS
 * federation endpoint (the emulator's in the demo) and lands on its console page, signed in as
 * the role, in the region and service picked; "with a new code" gives a 12-hour console.
 */

const alice = demoUser('alice');
test.describe.configure({ mode: 'serial' });
test.setTimeout(90_000);

async function openRoles(page: Page) {
  await signInThroughApi(page.request, alice);
  await page.goto('/');
  const card = page.locator('[data-testid="role-card"][data-role="readonly"]');
  await card.getByRole('button', { name: 'Get credentials' }).click();
  return card.getByTestId('console-launcher');
}

test('Open console lands on the console page as the role, in the region and service picked', async ({ page }) => {
  const launcher = await openRoles(page);
  await launcher.getByLabel('Service').fill('s3');
  await launcher.getByLabel('Region').fill('eu-west-1');
  const [consolePage] = await Promise.all([
    page.context().waitForEvent('page'),
    launcher.getByTestId('open-console').click(),
  ]);
  await consolePage.waitForLoadState();
  await expect(consolePage.getByRole('heading', { name: 'AWS Management Console (emulator)' })).toBeVisible();
  await expect(consolePage.getByTestId('identity')).toHaveText(
    `arn:aws:sts::${alice.accountId}:assumed-role/ReadOnly/alice`,
  );
  await expect(consolePage.getByTestId('region')).toHaveText('eu-west-1');
  await expect(consolePage.getByTestId('destination')).toHaveText(
    'https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1',
  );
  // From the sign-in's MFA session AWS allows one hour (role chaining).
  const end = Date.parse((await consolePage.getByTestId('session-end').textContent()) ?? '');
  expect(end - Date.now()).toBeLessThanOrEqual(3600_000);
  // The sign-in URL was used once: loading it again is refused.
  const again = await page.request.get(consolePage.url());
  expect(again.status()).toBe(403);
  await consolePage.close();
});

test('with a new code, the console lasts up to 12 hours', async ({ page }) => {
  const launcher = await openRoles(page);
  await expect(launcher).toContainText('AWS limits a console opened from your sign-in to one hour');
  await launcher.getByLabel('MFA code').fill(await freshCode(alice));
  const [consolePage] = await Promise.all([
    page.context().waitForEvent('page'),
    launcher.getByTestId('open-console-with-code').click(),
  ]);
  await consolePage.waitForLoadState();
  await expect(consolePage.getByTestId('identity')).toHaveText(
    `arn:aws:sts::${alice.accountId}:assumed-role/ReadOnly/alice`,
  );
  await expect(consolePage.getByTestId('region')).toHaveText('us-east-1');
  const end = Date.parse((await consolePage.getByTestId('session-end').textContent()) ?? '');
  expect(end - Date.now()).toBeGreaterThan(11 * 3600_000);
  await consolePage.close();
});
