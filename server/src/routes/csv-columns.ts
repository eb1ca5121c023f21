import { csvLine } from '../services/export/csv.ts';

/** A CSV header names each column as the JSON field it comes from, in snake_case (`userArn` → `user_arn`). */
export const csvHeader = (fields: readonly string[]): string =>
  csvLine(fields.map((field) => field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)));
