/// <reference lib="dom" />
// Callbacks passed to page.evaluate() run in the browser.
import { expect, test } from '@playwright/test';

test.describe('portal home page', () => {
  test('loads the built UI: the sign-in form, and the version the API reports', async ({ page, request }) => {
    const info = await (await request.get('/api/v1/info')).json();
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);

    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in');
    await expect(page.getByLabel('IAM user name')).toBeEditable();
    // How soon the form is usable is recorded, not asserted: timing belongs in bench/, where it
    // is measured side by side; inside a test it only measures how busy the machine is.
    const readyAfterMs = await page.evaluate(() => performance.now());
    test
      .info()
      .annotations.push({ type: 'sign-in form ready after (ms)', description: String(Math.round(readyAfterMs)) });
    await expect(page.getByText('Short-lived AWS credentials, after AWS checks your MFA code.')).toBeVisible();
    await expect(page.getByTestId('portal-status')).toHaveText(`${info.name} ${info.version}`);
    // A CSP violation or a failed asset shows up as a console error (a signed-out session check
    // is a 401, which the browser logs as a failed resource: allow only that one).
    expect(consoleErrors.filter((text) => !/status of 401/.test(text))).toEqual([]);
  });

  test('serves the SPA for client-side routes but JSON 404 for unknown API paths', async ({ page, request }) => {
    await page.goto('/some/client/route');
    await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();

    const api = await request.get('/api/v1/nope', { headers: { accept: 'text/html' } });
    expect(api.status()).toBe(404);
    expect(await api.json()).toMatchObject({ error: 'not_found' });
  });
});
