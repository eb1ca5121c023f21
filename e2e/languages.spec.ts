/// <reference lib="dom" />
import { type Browser, expect, type Page, test } from '@playwright/test';
import { demoUser } from './support/demo-users.ts';
import { signInThroughApi } from './support/portal-api.ts';
import { expectNoAxeViolations } from './support/screens.ts';

/**
 * The UI in English, Korean and Japanese: each language's main screens render with no missing
 * message (the app logs `[i18n] missing message` for any key the language lacks), no English
 * sentence left in a Korean or Japanese screen, and no axe violation. The language comes from
 * the browser's preference; the picker's choice is remembered. axe is injected as a script, so
 * these contexts bypass CSP (the other specs run under the real policy).
 */

test.use({ bypassCSP: true });
test.describe.configure({ mode: 'serial' });

const LANGUAGES = [
  { locale: 'en', tag: 'en-US', roles: 'Roles', signIn: 'Sign in' },
  { locale: 'ko', tag: 'ko-KR', roles: '역할', signIn: '로그인' },
  { locale: 'ja', tag: 'ja-JP', roles: 'ロール', signIn: 'サインイン' },
] as const;

/** Signed-in screens: path and the heading each shows, per language. */
const SCREENS = [
  { path: '/roles', heading: { en: 'Roles', ko: '역할', ja: 'ロール' } },
  { path: '/session', heading: { en: 'My MFA session', ko: '내 MFA 세션', ja: '自分の MFA セッション' } },
  { path: '/devices', heading: { en: 'Devices and tokens', ko: '기기 및 토큰', ja: 'デバイスとトークン' } },
  // The admin console (carol is a portal admin in the demo).
  { path: '/admin', heading: { en: 'MFA compliance', ko: 'MFA 준수 현황', ja: 'MFA コンプライアンス' } },
  { path: '/admin/audit', heading: { en: 'Audit log', ko: '감사 로그', ja: '監査ログ' } },
  { path: '/admin/roles', heading: { en: 'Role catalog', ko: '역할 카탈로그', ja: 'ロールカタログ' } },
  { path: '/admin/users', heading: { en: 'User access', ko: '사용자 액세스', ja: 'ユーザーアクセス' } },
  { path: '/admin/exemptions', heading: { en: 'MFA exemptions', ko: 'MFA 예외', ja: 'MFA 除外' } },
  {
    path: '/no/such/page',
    heading: { en: 'Page not found', ko: '페이지를 찾을 수 없음', ja: 'ページが見つかりません' },
  },
] as const;

let signedIn: Awaited<ReturnType<import('@playwright/test').BrowserContext['storageState']>>;

test.beforeAll(async ({ browser }) => {
  const context = await browser.newContext();
  await signInThroughApi(context.request, demoUser('carol'));
  signedIn = await context.storageState();
  await context.close();
});

/** English sentences (five words or more) in the page's own text: data, code and ARNs excepted. */
async function englishLeftovers(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const skip = 'code, pre, script, style, .description, [data-user-data], option, [data-testid="signed-in-user"]';
    const texts: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.closest(skip) || parent.closest('[hidden]')) continue;
      const text = (node.textContent ?? '').trim();
      if (/\b[A-Za-z]{2,}(?:[ ,.'’]+[A-Za-z]{2,}){4,}/.test(text)) texts.push(text);
    }
    for (const el of document.querySelectorAll<HTMLElement>('[aria-label], [title], [placeholder]'))
      for (const attribute of ['aria-label', 'title', 'placeholder']) {
        const value = el.getAttribute(attribute) ?? '';
        if (/\b[A-Za-z]{2,}(?:[ ,.'’]+[A-Za-z]{2,}){3,}/.test(value)) texts.push(`${attribute}=${value}`);
      }
    return texts;
  });
}

async function openIn(browser: Browser, tag: string, withSession: boolean) {
  const context = await browser.newContext({
    locale: tag,
    bypassCSP: true,
    ...(withSession ? { storageState: signedIn } : {}),
  });
  const page = await context.newPage();
  const missing: string[] = [];
  page.on('console', (message) => {
    if (message.text().includes('[i18n] missing')) missing.push(message.text());
  });
  return { context, page, missing };
}

for (const language of LANGUAGES) {
  test(`${language.locale}: the main screens are translated, with no missing message, and pass axe`, async ({
    browser,
  }) => {
    test.setTimeout(240_000); // axe on ten screens, on two shared cores
    const signedOut = await openIn(browser, language.tag, false);
    await signedOut.page.goto('/');
    await expect(signedOut.page.getByRole('heading', { level: 1, name: language.signIn })).toBeVisible();
    await expect(signedOut.page.locator('html')).toHaveAttribute('lang', language.locale);
    await expectNoAxeViolations(signedOut.page);
    if (language.locale !== 'en') expect(await englishLeftovers(signedOut.page)).toEqual([]);
    await signedOut.context.close();

    const { context, page, missing } = await openIn(browser, language.tag, true);
    for (const screen of SCREENS) {
      await page.goto(screen.path);
      await expect(page.getByRole('heading', { level: 1, name: screen.heading[language.locale] })).toBeVisible();
      await page.waitForLoadState('networkidle');
      await expectNoAxeViolations(page);
      if (language.locale !== 'en') expect(await englishLeftovers(page), screen.path).toEqual([]);
    }
    // User access with a user shown: their tokens, unenrolling, and revoking their AWS sessions.
    await page.goto('/admin/users');
    await page.locator('#access-user').fill('alice');
    await page.locator('form.lookup button[type="submit"]').click();
    await expect(page.locator('#revoke-title')).toBeVisible();
    await page.waitForLoadState('networkidle');
    await expectNoAxeViolations(page);
    if (language.locale !== 'en') expect(await englishLeftovers(page), 'user access for alice').toEqual([]);
    // The roles page with a role open and credentials issued: the panel, its tabs and the recipes.
    await page.goto('/roles');
    const card = page.getByTestId('role-card').first();
    await card.locator('button.toggle').click();
    await card.locator('form.request button[type="submit"]').click();
    await expect(page.getByTestId('credential-panel')).toBeVisible();
    await expectNoAxeViolations(page);
    if (language.locale !== 'en') expect(await englishLeftovers(page), 'roles with credentials').toEqual([]);
    await page.screenshot({ path: `e2e/artifacts/languages-roles-${language.locale}.png`, fullPage: true });
    expect(missing).toEqual([]);
    await context.close();
  });
}

test('the language picker switches the UI and the choice is remembered', async ({ browser }) => {
  const { context, page } = await openIn(browser, 'en-US', true);
  await page.goto('/roles');
  await expect(page.getByRole('heading', { level: 1, name: 'Roles' })).toBeVisible();
  await page.getByTestId('language-picker').selectOption('ja');
  await expect(page.getByRole('heading', { level: 1, name: 'ロール' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'ロール' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'ja');
  await context.close();
});

test('the admin console’s messages follow a language switch made on an admin screen', async ({ browser }) => {
  const { context, page, missing } = await openIn(browser, 'en-US', true);
  await page.goto('/admin/audit');
  await expect(page.getByRole('button', { name: 'Check again' })).toBeVisible();
  // Korean's admin catalogue is fetched only now, on the switch.
  await page.getByTestId('language-picker').selectOption('ko');
  await expect(page.getByRole('heading', { level: 1, name: '감사 로그' })).toBeVisible();
  await expect(page.getByRole('button', { name: '다시 확인' })).toBeVisible();
  await page.getByTestId('language-picker').selectOption('ja');
  await expect(page.getByRole('button', { name: '再確認' })).toBeVisible();
  expect(missing).toEqual([]);
  await context.close();
});
