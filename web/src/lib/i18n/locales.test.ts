import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCALES, pickLocale } from './locales.ts';

const here = import.meta.dirname;
const read = (file: string) => JSON.parse(readFileSync(path.join(here, file), 'utf8')) as Record<string, string>;
/** The messages every screen may use (bundled for English). */
const core = (locale: string) => read(`${locale}.json`);
/** The admin console's messages (loaded with the admin screens: loadAdminMessages). */
const admin = (locale: string) => read(`admin/${locale}.json`);
const catalogue = (locale: string) => ({ ...core(locale), ...admin(locale) });

const prefixOf = (key: string) => key.split('.')[0]!;
/** The key prefixes of admin/en.json: text only the admin screens show. */
const ADMIN_PREFIXES = new Set(Object.keys(admin('en')).map(prefixOf));
const root = path.resolve(here, '../..');
/** The admin screens' own code: their chunks load after loadAdminMessages. */
const isAdminSource = (file: string) => /(?:^|\/)(?:pages|lib)\/admin\//.test(file);

/** Every key the web app's source asks for, by file: `$_('key'`, `t('key'`, and `msg('key'` (constants). */
function usedKeys(): Map<string, Set<string>> {
  const keys = new Map<string, Set<string>>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(svelte|ts)$/.test(entry.name) && !entry.name.endsWith('.test.ts') && !full.includes('/lib/i18n/')) {
        const text = readFileSync(full, 'utf8');
        const inFile = new Set<string>();
        for (const m of text.matchAll(/(?:\$_|\bt|\bmsg)\(\s*'([a-zA-Z0-9_.-]+)'/g)) inFile.add(m[1]!);
        // Keys built from a prefix (`complianceTable.status.${x}`) count under their prefix.
        for (const m of text.matchAll(/[`'"]([a-zA-Z]+)\.[a-zA-Z0-9_.-]*(?:\$\{|['"] *\+)/g)) inFile.add(`${m[1]!}.`);
        keys.set(path.relative(root, full), inFile);
      }
    }
  };
  walk(root);
  return keys;
}

describe('message catalogues', () => {
  const en = catalogue('en');

  it.each(LOCALES)('%s keeps the admin console’s text, and only that, in its admin catalogue', (locale) => {
    // A prefix is the admin console's or the other screens', never both.
    expect(Object.keys(core(locale)).filter((key) => ADMIN_PREFIXES.has(prefixOf(key)))).toEqual([]);
    expect(Object.keys(admin(locale)).filter((key) => !ADMIN_PREFIXES.has(prefixOf(key)))).toEqual([]);
  });

  it('uses admin text only in the admin screens, which load it first', () => {
    const misplaced = [...usedKeys()]
      .filter(([file]) => !isAdminSource(file))
      .flatMap(([file, keys]) =>
        [...keys].filter((key) => ADMIN_PREFIXES.has(prefixOf(key))).map((key) => `${file}: ${key}`),
      );
    expect(misplaced).toEqual([]);
  });

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
    const used = new Set([...usedKeys().values()].flatMap((keys) => [...keys]));
    const missing = [...used].filter((key) => !(key in en) && !key.endsWith('.'));
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
