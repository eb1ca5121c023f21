/**
 * AWS Query-protocol response bodies. A result is a plain object: strings, numbers, booleans and
 * Dates become elements; arrays become `<member>` lists; nested objects become nested elements;
 * undefined and null are omitted (AWS omits absent optional members).
 */
export type XmlValue = string | number | boolean | Date | null | undefined | XmlValue[] | XmlObject;
export interface XmlObject {
  [name: string]: XmlValue;
}

export const NAMESPACES = {
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
} as const;

export type ServiceName = keyof typeof NAMESPACES;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);
}

function renderValue(value: XmlValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => `<member>${renderValue(item)}</member>`).join('');
  if (typeof value === 'object') return renderObject(value);
  return escapeXml(String(value));
}

function renderObject(object: XmlObject): string {
  let out = '';
  for (const [name, value] of Object.entries(object)) {
    if (value === null || value === undefined) continue;
    out += `<${name}>${renderValue(value)}</${name}>`;
  }
  return out;
}

/**
 * `<ActionResponse><ActionResult>...</ActionResult><ResponseMetadata>...` . Pass `result: null` for
 * operations without an output shape (no `<ActionResult>` element is written then).
 */
export function renderResponse(
  service: ServiceName,
  action: string,
  result: XmlObject | null,
  requestId: string,
): string {
  const resultXml = result === null ? '' : `<${action}Result>${renderObject(result)}</${action}Result>`;
  return (
    `<${action}Response xmlns="${NAMESPACES[service]}">${resultXml}` +
    `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></${action}Response>`
  );
}

export function renderError(
  service: ServiceName,
  type: 'Sender' | 'Receiver',
  code: string,
  message: string,
  requestId: string,
): string {
  return (
    `<ErrorResponse xmlns="${NAMESPACES[service]}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code>` +
    `<Message>${escapeXml(message)}</Message></Error><RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`
  );
}
