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
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
