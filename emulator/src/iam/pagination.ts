import { AwsError, validationError } from '../protocol/aws-error.ts';
import type { QueryParams } from '../protocol/query-params.ts';
import type { XmlValue } from '../protocol/xml.ts';

export interface Page<T> {
  items: T[];
  /** Spread into the result: `IsTruncated`, and `Marker` only when more items follow. */
  fields: { IsTruncated: boolean; Marker?: string };
}

const MARKER_PREFIX = 'emu1:';
const DEFAULT_MAX_ITEMS = 100;

/** IAM's `MaxItems` (1..1000, default 100) as a number, failing like AWS on bad values. */
export function maxItems(params: QueryParams): number {
  const value = params.integer('MaxItems');
  if (value === undefined) return DEFAULT_MAX_ITEMS;
  if (value < 1) throw validationError(String(value), 'maxItems', 'Member must have value greater than or equal to 1');
  if (value > 1000)
    throw validationError(String(value), 'maxItems', 'Member must have value less than or equal to 1000');
  return value;
}

/**
 * IAM Marker/MaxItems pagination over an already ordered list. The marker is opaque to clients
 * (AWS's are too): it encodes the offset of the next item.
 */
export function paginate<T>(items: T[], params: QueryParams): Page<T> {
  const limit = maxItems(params);
  const start = decodeMarker(params.string('Marker'));
  const pageItems = items.slice(start, start + limit);
  const next = start + pageItems.length;
  if (next < items.length) return { items: pageItems, fields: { IsTruncated: true, Marker: encodeMarker(next) } };
  return { items: pageItems, fields: { IsTruncated: false } };
}

function encodeMarker(offset: number): string {
  return Buffer.from(`${MARKER_PREFIX}${offset}`).toString('base64');
}

function decodeMarker(marker: string | undefined): number {
  if (marker === undefined) return 0;
  const text = Buffer.from(marker, 'base64').toString('utf8');
  const offset = text.startsWith(MARKER_PREFIX) ? Number(text.slice(MARKER_PREFIX.length)) : Number.NaN;
  if (!Number.isInteger(offset) || offset < 0) throw new AwsError('ValidationError', 'Invalid Marker.');
  return offset;
}

/** Narrows a page's fields for the XML renderer (whose object type has an index signature). */
export const pageFields = (page: Page<unknown>): Record<string, XmlValue> => ({ ...page.fields });
