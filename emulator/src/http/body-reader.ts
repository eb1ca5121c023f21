import type { IncomingMessage } from 'node:http';

export const MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`Request body exceeds the ${limit}-byte limit`);
  }
}

/** The client closed the connection before sending the whole body: nobody is left to answer. */
export class ClientGoneError extends Error {
  constructor() {
    super('client closed the connection before the body was complete');
  }
}

/** Reads the whole body, refusing (without buffering further) once it passes `limit` bytes. */
export function readBody(request: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLargeError(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        request.off('data', onData);
        request.resume(); // drain the rest so the 413 can still be written
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => resolve(Buffer.concat(chunks)));
    request.once('error', reject);
    // A client that goes away mid-body must not leave the request pending forever.
    request.once('close', () => {
      if (!request.complete) reject(new ClientGoneError());
    });
  });
}
