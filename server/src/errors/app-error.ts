/**
 * Errors the API answers with, each with a stable machine-readable code. Services throw these;
 * the error handler (plugins/error-handler.ts) turns them into the one error shape
 * `{ error, message, requestId }`. Messages are written for the person reading them and never
 * carry secrets or raw AWS/database text.
 */
export class AppError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly headers: Record<string, string>;

  constructor(statusCode: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'AppError';
    this.statusCode = statusCode;
    this.code = code;
    this.headers = headers;
  }
}

export const badRequest = (code: string, message: string) => new AppError(400, code, message);
export const unauthorized = (code: string, message: string) => new AppError(401, code, message);
export const forbidden = (code: string, message: string) => new AppError(403, code, message);
export const notFound = (code: string, message: string) => new AppError(404, code, message);
export const conflict = (code: string, message: string) => new AppError(409, code, message);
export const serviceUnavailable = (code: string, message: string, retryAfterSeconds?: number) =>
  new AppError(503, code, message, retryAfterSeconds ? { 'retry-after': String(retryAfterSeconds) } : {});
