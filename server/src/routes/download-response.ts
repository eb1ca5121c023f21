import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';

/** Streams an export (CSV or JSON) as a never-cached file download. */
export function sendDownload(
  reply: FastifyReply,
  contentType: string,
  filename: string,
  chunks: AsyncIterable<string>,
): FastifyReply {
  return reply
    .header('content-type', `${contentType}; charset=utf-8`)
    .header('content-disposition', `attachment; filename="${filename}"`)
    .header('cache-control', 'no-store')
    .send(Readable.from(chunks));
}
