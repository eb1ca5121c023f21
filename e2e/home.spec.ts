import { expect, test } from '@playwright/test';

test.describe('portal home page', () => {
  test('loads the built UI, which shows the version the API reports', async ({ page, request }) => {
    const info = await (await request.get('/api/v1/info')).json();
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);

    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Short-lived AWS credentials');
    await expect(page.getByTestId('portal-status')).toHaveText(`Portal version ${info.version} is ready.`);
    // A CSP violation or a failed asset shows up as a console error.
    expect(consoleErrors).toEqual([]);
  });

  test('serves the SPA for client-side routes but JSON 404 for unknown API paths', async ({ page, request }) => {
    await page.goto('/some/client/route');
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();

    const api = await request.get('/api/v1/nope', { headers: { accept: 'text/html' } });
    expect(api.status()).toBe(404);
    expect(await api.json()).toMatchObject({ error: 'not_found' });
  });
});
