/// <reference lib="dom" />
import { expect, type Page, test } from '@playwright/test';
import type { ExemptionList } from '../server/src/routes/admin-cis-schemas.ts';
import type { CompliancePage } from '../server/src/routes/admin-schemas.ts';
import { demoUser } from './support/demo-users.ts';
import { signInThroughApi } from './support/portal-api.ts';
import { expectNoAxeViolations, expectNoHorizontalOverflow, saveScreens } from './support/screens.ts';

/**
 * Exemptions from "keys work without MFA" in the admin console: carol (the demo's admin) exempts
 * the portal's own identity from its row in the compliance list, with a reason and an expiry; the
 * dashboard counts it apart, the Exemptions screen lists it, the audit log has both rows, and
 * ending it puts the figure back. The demo's `portal` user has keys that work without MFA.
 */

const REASON = "The portal's own identity: it must call STS and IAM without an MFA code";

/** A local date `days` from today, as a date field takes it. */
function dateIn(days: number): string {
  const date = new Date();
  date.setDate(date.getDate() + days);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}

async function keysWorkWithoutMfa(page: Page): Promise<number> {
  const answer = (await (await page.request.get('/api/v1/admin/compliance?limit=1')).json()) as CompliancePage;
  return answer.summary!.keysWorkWithoutMfa;
}

test('an admin exempts a service identity, sees it counted apart and audited, and ends the exemption', async ({
  page,
}) => {
  test.setTimeout(90_000);
  await signInThroughApi(page.request, demoUser('carol'));
  await page.goto('/admin');
  await expect(page.getByTestId('scanned-at')).toContainText('Last scan:');
  const total = await keysWorkWithoutMfa(page);
  expect(total).toBeGreaterThanOrEqual(1);
  const card = page.getByTestId('card-keys-work-without-mfa');
  await expect(card.locator('.value')).toHaveText(String(total));
  await expect(page.getByTestId('card-keys-exempt')).toHaveCount(0);

  // The grant form opens from portal's row, with the keyboard in its first field.
  const row = page.locator('[data-testid="compliance-row"][data-user="portal"]');
  await row.getByRole('button', { name: 'Exempt portal from “keys work without MFA”' }).click();
  const form = page.locator('[data-testid="exemption-form"][data-user="portal"]');
  await expect(form.getByLabel('Reason')).toBeFocused();
  const expiry = form.getByLabel('Expires on');
  await expect(expiry).toHaveValue(dateIn(90));
  await expect(expiry).toHaveAttribute('min', dateIn(1));
  await expect(expiry).toHaveAttribute('max', /^\d{4}-\d{2}-\d{2}$/);

  // A reason of spaces passes the field's "required" but not the server: its 400 is shown.
  await form.getByLabel('Reason').fill('   ');
  await form.getByRole('button', { name: 'Exempt portal' }).click();
  await expect(form.getByTestId('exemption-error')).toHaveText('Say why this identity may use its keys without MFA.');

  await form.getByLabel('Reason').fill(REASON);
  await expiry.fill(dateIn(30));
  await saveScreens(page, 'exemption-form');
  await page.setViewportSize({ width: 1280, height: 800 });
  await form.getByRole('button', { name: 'Exempt portal' }).click();
  await expect(page.getByTestId('exemption-granted')).toContainText('portal is exempt until');
  await expect(page.getByTestId('exemption-granted')).toBeFocused();
  await expect(row.getByTestId('exempt-badge')).toContainText('exempt until');

  // Counted apart, not hidden: the card shows the rest, and the exempt one as a link to the list.
  await expect(card.locator('.value')).toHaveText(String(total - 1));
  await expect(page.getByTestId('card-keys-exempt')).toHaveText('(+1 exempt)');
  await expect(page.locator('[data-testid="cis-check"][data-check="keys_work_without_mfa"]')).toContainText(
    '(+1 exempt)',
  );

  await page.getByTestId('card-keys-exempt').click();
  await expect(page.getByRole('heading', { level: 1, name: 'MFA exemptions' })).toBeVisible();
  const listed = page.locator('[data-testid="current-exemptions"] [data-testid="exemption-row"][data-user="portal"]');
  await expect(listed).toContainText(REASON);
  await expect(listed).toContainText('by carol');
  await expect(listed).toContainText('keys work without MFA');
  const api = (await (await page.request.get('/api/v1/admin/compliance/exemptions')).json()) as ExemptionList;
  const stored = api.exemptions.find((e) => e.userName === 'portal')!;
  expect(stored).toMatchObject({ reason: REASON, createdBy: 'carol', active: true });
  expect(new Date(stored.expiresAt).getTime()).toBe(new Date(`${dateIn(30)}T00:00:00`).getTime());
  await saveScreens(page, 'exemptions');
  await page.setViewportSize({ width: 360, height: 740 });
  await expectNoHorizontalOverflow(page);
  await page.setViewportSize({ width: 1280, height: 800 });

  // The audit log has the grant, for portal.
  await page.getByRole('link', { name: 'Audit log' }).click();
  const granted = page.locator('[data-testid="audit-row"][data-action="compliance.exemption_add"]').first();
  await expect(granted).toContainText('for portal');
  await expect(granted).toHaveAttribute('data-actor', 'carol');

  // Ending it, from the keyboard.
  await page.getByRole('link', { name: 'MFA exemptions' }).click();
  const end = page.getByRole('button', { name: 'End the exemption of portal' });
  await end.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('exemption-ended')).toHaveText('The exemption of portal has ended.');
  await expect(page.getByTestId('exemption-ended')).toBeFocused();
  await expect(page.getByText('No user is exempt.')).toBeVisible();

  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(
    page.locator('[data-testid="audit-row"][data-action="compliance.exemption_remove"]').first(),
  ).toContainText('for portal');

  await page.getByRole('link', { name: 'Compliance' }).click();
  await expect(card.locator('.value')).toHaveText(String(total));
  await expect(page.getByTestId('card-keys-exempt')).toHaveCount(0);
  await expect(row.getByRole('button', { name: 'Exempt portal from “keys work without MFA”' })).toBeVisible();
});

test.describe('in Korean, with an exemption listed', () => {
  test.use({ bypassCSP: true, locale: 'ko-KR' });

  test('the grant form and the Exemptions screen are translated and pass axe', async ({ page }) => {
    test.setTimeout(60_000);
    const session = await signInThroughApi(page.request, demoUser('carol'));
    await page.goto('/admin');
    const row = page.locator('[data-testid="compliance-row"][data-user="portal"]');
    await row.getByRole('button', { name: 'portal을(를) “MFA 없이 작동하는 키” 검사에서 예외 처리' }).click();
    const form = page.locator('[data-testid="exemption-form"][data-user="portal"]');
    await expect(form.getByLabel('사유')).toBeFocused();
    await page.waitForLoadState('networkidle');
    await expectNoAxeViolations(page);
    await form.screenshot({ path: 'e2e/artifacts/exemption-form-ko.png' });
    await form.getByRole('button', { name: '취소' }).click();
    await expect(form).toHaveCount(0);
    await expect(
      row.getByRole('button', { name: 'portal을(를) “MFA 없이 작동하는 키” 검사에서 예외 처리' }),
    ).toBeFocused();

    const headers = { 'x-csrf-token': session.csrfToken };
    const expiresAt = new Date(Date.now() + 14 * 86_400_000).toISOString();
    const put = await page.request.put('/api/v1/admin/compliance/exemptions/portal', {
      headers,
      data: { reason: 'CI 배포 파이프라인', expiresAt },
    });
    expect(put.status(), await put.text()).toBe(200);
    try {
      await page.goto('/admin/exemptions');
      await expect(page.getByRole('heading', { level: 1, name: 'MFA 예외' })).toBeVisible();
      await expect(page.locator('[data-testid="exemption-row"][data-user="portal"]')).toContainText(
        'CI 배포 파이프라인',
      );
      await page.waitForLoadState('networkidle');
      await expectNoAxeViolations(page);
      await saveScreens(page, 'exemptions-ko');
      await page.goto('/admin');
      await expect(page.getByTestId('card-keys-exempt')).toHaveText('(+1명 예외)');
    } finally {
      expect((await page.request.delete('/api/v1/admin/compliance/exemptions/portal', { headers })).status()).toBe(204);
    }
  });
});
