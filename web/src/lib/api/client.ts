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

  constructor(status: number, body: ApiErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.error;
    this.requestId = body.requestId;
  }
}

/**
 * Fetches JSON from the portal's API. Errors always surface as ApiError with a message a person
 * can act on, also when the server or the network gives no JSON.
 */
export async function apiRequest<T>(path: string, init: RequestInit = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      ...init,
      credentials: 'same-origin',
      headers: { accept: 'application/json', ...init.headers },
    });
  } catch {
    throw new ApiError(0, { error: 'network_error', message: 'The portal cannot be reached. Check your connection and try again.' });
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    if (isErrorBody(body)) throw new ApiError(response.status, body);
    throw new ApiError(response.status, { error: 'unexpected_response', message: `The portal answered ${response.status}. Try again shortly.` });
  }
  return body as T;
}

function isErrorBody(body: unknown): body is ApiErrorBody {
  return typeof body === 'object' && body !== null && typeof (body as ApiErrorBody).error === 'string' && typeof (body as ApiErrorBody).message === 'string';
}
