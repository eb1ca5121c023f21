import { describe, expect, it } from 'vitest';
import { csvCell, csvLine, parseCsv } from './csv.ts';

describe('csv', () => {
  it('quotes cells with commas, quotes and line breaks', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(' padded ')).toBe('" padded "');
    expect(csvCell(null)).toBe('');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(new Date('2026-01-02T03:04:05Z'))).toBe('2026-01-02T03:04:05.000Z');
  });

  it('defuses text a spreadsheet would run as a formula', () => {
    for (const text of ['=1+2', '+cmd', '-2+3', '@SUM(A1)', '\tx', '\rx'])
      expect(csvCell(text).replace(/^"|"$/g, '').startsWith("'")).toBe(true);
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell(-5)).toBe('-5'); // numbers are data, not text
  });

  it('quotes cells holding any separator a spreadsheet may split on', () => {
    expect(csvCell('a;b')).toBe('"a;b"');
    expect(csvCell('a\tb')).toBe('"a\tb"');
    expect(csvCell('one\rtwo')).toBe('"one\rtwo"');
    // Split on ";" (many locales), this user agent's second cell would be a live formula.
    expect(csvCell("curl;=cmd|' /C calc'!A0;")).toBe(`"curl;=cmd|' /C calc'!A0;"`);
    expect(csvCell('=1;2')).toBe(`"'=1;2"`);
    expect(parseCsv(csvLine(["curl;=cmd|' /C calc'!A0;", 'x\ty']))).toEqual([["curl;=cmd|' /C calc'!A0;", 'x\ty']]);
  });

  it('reads back what it writes', () => {
    const rows = [
      ['a,b', 'say "hi"', 'two\nlines'],
      ['', 'x', 'y'],
    ];
    expect(parseCsv(rows.map(csvLine).join(''))).toEqual(rows);
  });
});
