/**
 * CSV in and out (RFC 4180). Exports are opened in spreadsheets, so cells that a spreadsheet
 * would run as a formula (starting with = + - @, tab or carriage return) get a leading
 * apostrophe: IAM user names may legally start with + = @ or -, and audit rows carry
 * user agents anyone can choose. Cells holding any separator a spreadsheet may split on (comma,
 * semicolon in many locales, tab), a quote or a line break are quoted, so that text such as
 * `curl;=cmd|' /C calc'!A0` stays one inert cell instead of becoming a formula in the next one.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",;\t\r\n]/;

export type CsvCell = string | number | boolean | null | undefined | Date;

export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (cells: CsvCell[]): string => `${cells.map(csvCell).join(',')}\r\n`;

/** Parses CSV text into rows of fields; quoted fields may hold commas, quotes and newlines. */
export function parseCsv(text: string): string[][] {
  return Array.from(csvRecords(text));
}

const COMMA = 44;
const LF = 10;
const CR = 13;

/**
 * The rows of CSV text one at a time, so a caller keeping only what it needs from each row never
 * holds them all (the credential report of 100,000 users is 2.2 million fields). Fields are cut
 * out as slices of runs, not built a character at a time: a field built with `+=` per character
 * is a chain of one-character strings until something flattens it.
 */
export function* csvRecords(text: string): Generator<string[]> {
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    if (quoted) {
      const quote = text.indexOf('"', i);
      if (quote < 0) {
        field += text.slice(i);
        i = text.length;
      } else if (text[quote + 1] === '"') {
        field += text.slice(i, quote + 1);
        i = quote + 2;
      } else {
        field += text.slice(i, quote);
        quoted = false;
        i = quote + 1;
      }
      continue;
    }
    const c = text.charCodeAt(i);
    if (c === 34 && field === '') {
      quoted = true;
      i++;
    } else if (c === COMMA) {
      row.push(field);
      field = '';
      i++;
    } else if (c === LF || c === CR) {
      i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
      row.push(field);
      yield row;
      row = [];
      field = '';
    } else {
      // A run up to the next separator; a quote inside it is text (the field has begun).
      let end = i + 1;
      for (; end < text.length; end++) {
        const next = text.charCodeAt(end);
        if (next === COMMA || next === LF || next === CR) break;
      }
      field += text.slice(i, end);
      i = end;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    yield row;
  }
}
