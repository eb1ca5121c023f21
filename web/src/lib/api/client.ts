/** The API's one error shape. */
export interface ApiErrorBody {
  error: string;
  message: string;
  requestId?: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | undefined;
  /** From a 429's Retry-After header, when the server sent one. */
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, body: ApiErrorBody, retryAfterSeconds?: number) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.error;
    this.requestId = body.requestId;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface ApiRequestInit extends RequestInit {
  /** Sent as `x-csrf-token`: cookie-authenticated requests that change state need it. */
  csrfToken?: string | null;
  /** Serialised as the JSON request body. */
  json?: unknown;
}

/**
 * Fetches JSON from the portal's API. Errors always surface as ApiError with a message a person
 * can act on, also when the server or the network gives no JSON. A 204 resolves to undefined.
 */
export async function apiRequest<T>(path: string, init: ApiRequestInit = {}): Promise<T> {
  const { csrfToken, json, ...rest } = init;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (json !== undefined) headers['content-type'] = 'application/json';
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      ...rest,
      // Credentials pass through these responses: never let the browser cache them.
      cache: 'no-store',
      credentials: 'same-origin',
      headers: { ...headers, ...(rest.headers as Record<string, string> | undefined) },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    });
  } catch {
    throw new ApiError(0, {
      error: 'network_error',
      message: 'The portal cannot be reached. Check your connection and try again.',
    });
  }
  if (response.status === 204) return undefined as T;
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
    if (isErrorBody(body)) throw new ApiError(response.status, body, retryAfter);
    throw new ApiError(
      response.status,
      { error: 'unexpected_response', message: `The portal answered ${response.status}. Try again shortly.` },
      retryAfter,
    );
  }
  return body as T;
}

function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function isErrorBody(body: unknown): body is ApiErrorBody {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as ApiErrorBody).error === 'string' &&
    typeof (body as ApiErrorBody).message === 'string'
  );
}
