import { expect, test } from '@playwright/test';

/** /api/docs under the portal's real CSP: Swagger UI loads from this server and breaks no rule. */
test('the API docs page renders the OpenAPI document with curl examples, violating no CSP rule', async ({ page }) => {
  test.setTimeout(60_000); // Swagger UI renders the whole document: slow on two shared cores
  const refused: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
  });
  const outside: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith('http://127.0.0.1')) outside.push(request.url());
  });
  await page.goto('/api/docs/');
  await expect(page.getByRole('heading', { name: /AWS MFA Portal API/ })).toBeVisible();
  await expect(page.getByText('Examples with curl')).toBeVisible();
  await expect(page.locator('.opblock-summary-path', { hasText: '/api/v1/credentials' }).first()).toBeVisible({
    timeout: 30_000,
  });
  await page.screenshot({ path: 'e2e/artifacts/api-docs.png', fullPage: false });
  expect(refused).toEqual([]);
  expect(outside).toEqual([]);
});
