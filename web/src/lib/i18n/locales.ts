/** The languages the web UI speaks; English is the source language and the fallback. */
export const LOCALES = ['en', 'ko', 'ja'] as const;
export type Locale = (typeof LOCALES)[number];

/** Each language named in itself, for the picker. */
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', ko: '한국어', ja: '日本語' };

export const LOCALE_STORAGE_KEY = 'portal.locale';

const isLocale = (value: string | null | undefined): value is Locale =>
  value !== null && value !== undefined && (LOCALES as readonly string[]).includes(value);

/**
 * The language to start in: the one the user picked before (remembered in localStorage), else the
 * first of the browser's preferred languages the UI speaks (`ko-KR` -> `ko`), else English.
 */
export function pickLocale(stored: string | null, preferred: readonly string[]): Locale {
  if (isLocale(stored)) return stored;
  for (const tag of preferred) {
    const language = tag.toLowerCase().split('-')[0];
    if (isLocale(language)) return language;
  }
  return 'en';
}
