import type { GetCredentialReportCommand } from '@aws-sdk/client-iam';

const OPEN = Buffer.from('<Content>');
const CLOSE = Buffer.from('</Content>');

async function bodyBytes(body: unknown): Promise<Buffer> {
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/**
 * Takes GetCredentialReport's `Content` out of the raw response before the SDK parses it. The
 * SDK's XML parser builds each text node one character at a time (`text += x[i]`), which for
 * the base64 report of 100,000 users (a 32 MB text node) peaks at about 1.1 GB of heap: it was
 * the largest part of a scan's memory. Cut out here, the report costs its bytes a few times
 * over (the body, the base64 text, the decoded CSV), and the SDK still parses the rest (the
 * generation time) and every error response as usual.
 *
 * Returns the decoded content of the last successful response, or null when the response had
 * no `<Content>` element to cut (then the SDK's own `Content` is the answer).
 */
export function takeReportContent(command: GetCredentialReportCommand): () => Buffer | null {
  let content: Buffer | null = null;
  command.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as { statusCode?: number; body?: unknown };
      if ((response.statusCode ?? 0) >= 300 || response.body == null) return result;
      const bytes = await bodyBytes(response.body);
      const start = bytes.indexOf(OPEN);
      const end = start < 0 ? -1 : bytes.indexOf(CLOSE, start);
      if (end < 0) {
        response.body = bytes;
        return result;
      }
      // Base64 holds no XML entities; Node's decoder skips any line breaks in it.
      content = Buffer.from(bytes.toString('latin1', start + OPEN.length, end), 'base64');
      response.body = Buffer.concat([bytes.subarray(0, start), bytes.subarray(end + CLOSE.length)]);
      return result;
    },
    // Low priority in the deserialize step: between the HTTP handler and the SDK's deserializer.
    { step: 'deserialize', priority: 'low', name: 'credentialReportContent' },
  );
  return () => content;
}
