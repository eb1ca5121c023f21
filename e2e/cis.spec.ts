import { expect, test } from '@playwright/test';
import type { CisFailingPage, CisResults } from '../server/src/routes/admin-cis-schemas.ts';
import { demoUser } from './support/demo-users.ts';
import { signInThroughApi } from './support/portal-api.ts';

/**
 * The CIS table on the admin dashboard: carol (the demo's admin) sees every check with the
 * result the API gives, opens the users failing one check, and makes dave's keys require MFA
 * after reading the policy document.
 */
test('an admin sees the CIS table, opens the users failing a check, and requires MFA for a user’s keys', async ({
  page,
}) => {
  test.setTimeout(60_000);
  await signInThroughApi(page.request, demoUser('carol'));
  await page.goto('/admin');
  await expect(page.getByTestId('scanned-at')).toContainText('Last scan:');

  const api = (await (await page.request.get('/api/v1/admin/compliance/cis')).json()) as CisResults;
  const rows = page.getByTestId('cis-check');
  await expect(rows).toHaveCount(api.checks.length);
  for (const check of api.checks) {
    const row = page.locator(`[data-testid="cis-check"][data-check="${check.id}"]`);
    await expect(row).toHaveAttribute('data-status', check.status);
    await expect(row.getByRole('rowheader')).toHaveText(check.title);
  }
  const consoleCheck = api.checks.find((c) => c.id === 'console_user_mfa')!;
  expect(consoleCheck.status).toBe('fail');

  await page.getByRole('button', { name: `Show users failing “${consoleCheck.title}”` }).click();
  const failing = (await (
    await page.request.get('/api/v1/admin/compliance/cis/console_user_mfa')
  ).json()) as CisFailingPage;
  const listed = page.getByTestId('cis-failing-user');
  await expect(listed).toHaveCount(failing.users.length);
  await expect(page.getByTestId('cis-failing')).toContainText('since');
  expect(await listed.evaluateAll((items) => items.map((i) => i.getAttribute('data-user')))).toEqual(
    failing.users.map((u) => u.userName),
  );

  // Keys that work without MFA: review the document, then attach it to dave.
  const keysCheck = api.checks.find((c) => c.id === 'keys_work_without_mfa')!;
  await page.getByRole('button', { name: `Show users failing “${keysCheck.title}”` }).click();
  const dave = page.locator('[data-testid="cis-failing-user"][data-user="dave"]');
  await dave.getByRole('button', { name: "Require MFA for this user's keys" }).click();
  const review = page.getByTestId('force-mfa-review');
  await expect(review).toContainText('"BoolIfExists"');
  await expect(review).toContainText('aws:MultiFactorAuthPresent');
  await review.getByRole('button', { name: 'Attach to dave' }).click();
  await expect(page.getByTestId('require-mfa-result')).toContainText("dave's keys now need MFA.");
  await expect(dave).toHaveCount(0);
});
