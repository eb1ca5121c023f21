import { addMessages, format, getLocaleFromNavigator, init, locale, register, waitLocale } from 'svelte-i18n';
import en from './en.json';
import { LOCALE_STORAGE_KEY, type Locale, pickLocale } from './locales.ts';

/*
 * The web UI's languages, with svelte-i18n (ICU messages via intl-messageformat).
 *
 * Adding or moving strings (for the lead merging other branches, and anyone after):
 * 1. Put the English text in en.json under a dotted key named after the screen
 *    (`roles.title`, `devices.tokens.revoke`); ICU syntax for values and plurals:
 *    `"{count, plural, one {# role} other {# roles}}"`. Text only the admin console shows goes
 *    in admin/en.json instead (a prefix lives in one of the two files only): it loads
 *    with the admin screens, so engineers' first page does not carry it.
 * 2. Add the same key to ko.json and ja.json (or admin/ko.json and admin/ja.json): a translation,
 *    never left empty; the unit test locales.test.ts fails on a key missing in any catalogue, a
 *    placeholder that differs, or an admin key used outside the admin screens.
 * 3. In a component: `import { _ } from 'svelte-i18n'` and `{$_('roles.title')}` or
 *    `$_('roles.count', { values: { count } })`; in plain .ts: `t('key')` from this module
 *    (read when called; components re-render on a language change because App.svelte
 *    re-mounts the page under `{#key $locale}`).
 * 4. Dates and durations: lib/time-format.ts (Intl with the current language), not hand-made text.
 * 5. API errors: the server's `message` stays English; the UI shows `errors.<code>` when the
 *    catalogue has it (lib/i18n/error-text.ts), else the server's message.
 * 6. Data from the server stays as it is (user names, ARNs, codes); where the UI names a server
 *    code in words, the key carries the code with a fallback to it when the catalogue lacks it
 *    (`cis.check.<id>`, `mine.via.<via>` with hasMessage).
 * 7. A new screen: add its path and heading to SCREENS in e2e/languages.spec.ts, so the locale
 *    test checks it in every language.
 * English is bundled (the admin part loads with the admin screens: loadAdminMessages); Korean
 * and Japanese load on demand (their own chunks). A key missing in
 * the current language falls back to English and logs `[i18n] missing message` (the e2e
 * locale test fails on that line).
 */

type Values = Record<string, string | number>;
/** The English catalogue loaded so far (the admin part joins it in loadAdminMessages). */
const english: Record<string, string> = { ...(en as Record<string, string>) };

/** Before setup (unit tests of plain modules): the English text with its `{name}` values filled in. */
let formatNow = (key: string, values?: Values): string =>
  (english[key] ?? key).replace(/\{(\w+)\}/g, (whole, name: string) => String(values?.[name] ?? whole));

/** A message in the current language, for plain .ts code (components use `$_`). */
export const t = (key: string, values?: Values): string => formatNow(key, values);

let current: Locale = 'en';
/** The current language, for Intl formatters outside components. */
export const currentLocale = (): Locale => current;

/** Whether the catalogues have this key (every catalogue has the English keys: locales.test.ts). */
export const hasMessage = (key: string): boolean => key in english;

/** Marks a string as a message key in constants, so the catalogue test sees it used. */
export const msg = (key: string): string => key;

export async function setupI18n(): Promise<void> {
  addMessages('en', english);
  register('ko', () => import('./ko.json'));
  register('ja', () => import('./ja.json'));
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(LOCALE_STORAGE_KEY);
  } catch {
    // Storage may be off (privacy settings): fall back to the browser's languages.
  }
  const preferred = navigator.languages?.length ? navigator.languages : [getLocaleFromNavigator() ?? 'en'];
  const initial = pickLocale(stored, preferred);
  init({
    fallbackLocale: null as unknown as string,
    initialLocale: initial,
    handleMissingMessage: ({ locale: missingIn, id, defaultValue }) => {
      if (defaultValue !== undefined) return undefined; // the caller has its own fallback (server text)
      console.warn(`[i18n] missing message "${id}" in "${missingIn}"`);
      return english[id] ?? id;
    },
  });
  format.subscribe((f) => {
    formatNow = (key, values) => f(key, values ? { values } : {});
  });
  locale.subscribe((value) => {
    if (!value) return;
    current = pickLocale(value, []);
    document.documentElement.lang = value;
  });
  await waitLocale();
}

let adminMessages: Promise<void> | null = null;

/**
 * The admin console's messages, in every language: English now, the others when they are (or
 * become) the current language. The admin routes wait for this before they render.
 */
export function loadAdminMessages(): Promise<void> {
  adminMessages ??= (async () => {
    const { default: adminEnglish } = await import('./admin/en.json');
    Object.assign(english, adminEnglish);
    addMessages('en', adminEnglish);
    register('ko', () => import('./admin/ko.json'));
    register('ja', () => import('./admin/ja.json'));
    await waitLocale();
  })();
  return adminMessages;
}

/** Switches the language and remembers the choice for the next visit. */
export async function chooseLocale(next: Locale): Promise<void> {
  try {
    localStorage.setItem(LOCALE_STORAGE_KEY, next);
  } catch {
    // Not remembered, but still switched.
  }
  await locale.set(next);
}
