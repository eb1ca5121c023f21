import type { ErrorBody } from '../../../../server/src/routes/schemas.ts';

/** The API's one error shape; errors the client makes itself (network down) have no request id. */
export type ApiErrorBody = Omit<ErrorBody, 'requestId'> & { requestId?: string };

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

  /** The server no longer knows the browser's session: it expired, or was signed out elsewhere. */
  get endsSession(): boolean {
    return this.status === 401 && (this.code === 'not_signed_in' || this.code === 'session_expired');
  }
}

export interface ApiRequestInit extends RequestInit {
  /** Serialised as the JSON request body. */
  json?: unknown;
}

export type Fetch = (path: string, init: RequestInit) => Promise<Response>;

/** Requests that only read: every other method changes state and carries the CSRF token. */
const READ_ONLY_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The page's one way to the portal's API. It holds the CSRF token of the browser's session (the
 * session cookie is HttpOnly; the token comes in the sign-in and session answers) and sends it as
 * `x-csrf-token` with every request that changes state. It is also the one place that notices the
 * server saying the session is gone (401 `not_signed_in` / `session_expired`): it forgets the
 * token and tells whoever registered with `onSessionEnded`.
 */
export class ApiClient {
  #csrfToken: string | null = null;
  readonly #sessionEndedListeners = new Set<() => void>();
  readonly #fetch: Fetch;

  constructor(fetchImpl: Fetch = (path, init) => fetch(path, init)) {
    this.#fetch = fetchImpl;
  }

  /** A session was opened or read: requests that change state carry its token from now on. */
  useSession(csrfToken: string): void {
    this.#csrfToken = csrfToken;
  }

  /** The session's CSRF token for an HTML form the browser posts itself (it cannot set headers). */
  formCsrfToken(): string | null {
    return this.#csrfToken;
  }

  /** The session is over on this page (signed out, or its time ran out). */
  forgetSession(): void {
    this.#csrfToken = null;
  }

  /** Registers a callback run when the server says the session has ended; returns the unregister function. */
  onSessionEnded(listener: () => void): () => void {
    this.#sessionEndedListeners.add(listener);
    return () => this.#sessionEndedListeners.delete(listener);
  }

  /**
   * Fetches JSON from the portal's API. Errors always surface as ApiError with a message a person
   * can act on, also when the server or the network gives no JSON. A 204 resolves to undefined.
   */
  async request<T>(path: string, init: ApiRequestInit = {}): Promise<T> {
    const { json, ...rest } = init;
    // The session this request belongs to; read now, before anything can end it.
    const csrfToken = this.#csrfToken;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (json !== undefined) headers['content-type'] = 'application/json';
    if (csrfToken !== null && !READ_ONLY_METHODS.has((rest.method ?? 'GET').toUpperCase())) {
      headers['x-csrf-token'] = csrfToken;
    }
    let response: Response;
    try {
      response = await this.#fetch(path, {
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
      const error = errorFrom(response, body);
      // A late answer to a request of an earlier session says nothing about the current one.
      if (error.endsSession && csrfToken !== null && csrfToken === this.#csrfToken) this.#sessionEnded();
      throw error;
    }
    return body as T;
  }

  #sessionEnded(): void {
    this.#csrfToken = null;
    for (const listener of this.#sessionEndedListeners) listener();
  }
}

/** The page's client: the session state feeds it the token and listens for the session's end. */
export const api = new ApiClient();

export const apiRequest = <T>(path: string, init?: ApiRequestInit): Promise<T> => api.request<T>(path, init);

function errorFrom(response: Response, body: unknown): ApiError {
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
  if (isErrorBody(body)) return new ApiError(response.status, body, retryAfter);
  return new ApiError(
    response.status,
    { error: 'unexpected_response', message: `The portal answered ${response.status}. Try again shortly.` },
    retryAfter,
  );
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
