import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCALES, pickLocale } from './locales.ts';

const here = import.meta.dirname;
const catalogue = (locale: string) =>
  JSON.parse(readFileSync(path.join(here, `${locale}.json`), 'utf8')) as Record<string, string>;

/** Every key the web app's source asks for: `$_('key'`, `t('key'`, and `msg('key'` (constants). */
function usedKeys(): Set<string> {
  const root = path.resolve(here, '../..');
  const keys = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(svelte|ts)$/.test(entry.name) && !entry.name.endsWith('.test.ts') && !full.includes('/lib/i18n/')) {
        const text = readFileSync(full, 'utf8');
        for (const m of text.matchAll(/(?:\$_|\bt|\bmsg)\(\s*'([a-zA-Z0-9_.-]+)'/g)) keys.add(m[1]!);
      }
    }
  };
  walk(root);
  return keys;
}

describe('message catalogues', () => {
  const en = catalogue('en');

  it.each(LOCALES.filter((l) => l !== 'en'))('%s has exactly the English keys, none left empty', (locale) => {
    const other = catalogue(locale);
    expect(Object.keys(other).sort()).toEqual(Object.keys(en).sort());
    expect(Object.entries(other).filter(([, text]) => text.trim() === '')).toEqual([]);
  });

  it.each(LOCALES.filter((l) => l !== 'en'))('%s keeps every placeholder of the English text', (locale) => {
    const other = catalogue(locale);
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)/g)].map((m) => m[1]).sort();
    const differing = Object.keys(en).filter(
      (key) => JSON.stringify(placeholders(en[key]!)) !== JSON.stringify(placeholders(other[key] ?? '')),
    );
    expect(differing).toEqual([]);
  });

  it('has an English text for every key the source uses', () => {
    const missing = [...usedKeys()].filter((key) => !(key in en) && !key.endsWith('.'));
    expect(missing).toEqual([]);
  });
});

describe('pickLocale', () => {
  it('prefers the remembered choice, then the browser languages, then English', () => {
    expect(pickLocale('ja', ['ko-KR'])).toBe('ja');
    expect(pickLocale(null, ['fr-FR', 'ko-KR', 'en'])).toBe('ko');
    expect(pickLocale('xx', ['JA'])).toBe('ja');
    expect(pickLocale(null, ['de'])).toBe('en');
  });
});
