import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { type Static, Type } from 'typebox';
import { badRequest } from '../errors/app-error.ts';
import type { AuditRecord } from '../services/audit/audit-events.ts';
import type { AuditQuery } from '../services/audit/audit-repository.ts';
import { csvLine } from '../services/export/csv.ts';
import { requireAdmin } from './admin-guard.ts';
import { AuditEvent, AuditFilters, Cursor, Nullable } from './admin-schemas.ts';
import { sendDownload } from './download-response.ts';
import { errorResponses } from './schemas.ts';

/** Exports stop here; narrow the time range for more (a portal with more events needs a SIEM). */
export const MAX_EXPORT_ROWS = 100_000;
const EXPORT_BATCH = 1000;

type Filters = Static<typeof AuditFilters>;

function toQuery(filters: Filters, limit: number, beforeSeq?: number): AuditQuery {
  const from = filters.from ? new Date(filters.from) : undefined;
  const to = filters.to ? new Date(filters.to) : undefined;
  if (from && to && from.getTime() >= to.getTime())
    throw badRequest('invalid_time_range', '"from" must be before "to".');
  return {
    limit,
    ...(filters.actor ? { actor: filters.actor } : {}),
    ...(filters.roleArn ? { targetRoleArn: filters.roleArn } : {}),
    ...(filters.action ? { action: filters.action } : {}),
    ...(filters.outcome ? { outcome: filters.outcome } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(beforeSeq !== undefined ? { beforeSeq } : {}),
  };
}

export function auditEventBody(record: AuditRecord) {
  return {
    seq: record.seq,
    id: record.id,
    time: record.time.toISOString(),
    actor: record.actor,
    action: record.action,
    outcome: record.outcome,
    targetRoleArn: record.targetRoleArn ?? null,
    roleSessionName: record.roleSessionName ?? null,
    errorCode: record.errorCode ?? null,
    sourceIp: record.sourceIp ?? null,
    userAgent: record.userAgent ?? null,
    requestId: record.requestId ?? null,
    metadata: record.metadata ?? null,
    prevHash: record.prevHash,
    hash: record.hash,
  };
}

const CSV_COLUMNS = [
  'seq',
  'time',
  'actor',
  'action',
  'outcome',
  'target_role_arn',
  'role_session_name',
  'error_code',
  'source_ip',
  'user_agent',
  'request_id',
  'metadata',
  'prev_hash',
  'hash',
];

/** The audit log for admins: filtered pages (newest first), exports, and the chain check. */
const adminAuditRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', requireAdmin);
  const tags = ['admin: audit'];

  /** Every matching event, newest first, in batches, up to the export limit. */
  async function* matching(filters: Filters): AsyncGenerator<AuditRecord> {
    let beforeSeq: number | undefined;
    let sent = 0;
    for (;;) {
      const rows = await app.services.audit.query(toQuery(filters, EXPORT_BATCH, beforeSeq));
      for (const row of rows) {
        if (sent++ >= MAX_EXPORT_ROWS) return;
        yield row;
      }
      if (rows.length < EXPORT_BATCH) return;
      beforeSeq = rows[rows.length - 1]!.seq;
    }
  }

  app.get(
    '/api/v1/admin/audit',
    {
      schema: {
        summary: 'Audit events, newest first, with filters and cursor paging',
        tags,
        querystring: Type.Object(
          {
            ...AuditFilters.properties,
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
            cursor: Type.Optional(Cursor),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ events: Type.Array(AuditEvent), nextCursor: Nullable(Type.String()) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { limit, cursor, ...filters } = request.query;
      let beforeSeq: number | undefined;
      if (cursor !== undefined) {
        if (!/^\d{1,15}$/.test(cursor)) throw badRequest('invalid_cursor', 'The cursor is not one this API returned.');
        beforeSeq = Number(cursor);
      }
      const rows = await app.services.audit.query(toQuery(filters, limit + 1, beforeSeq));
      const page = rows.slice(0, limit);
      return {
        events: page.map(auditEventBody),
        nextCursor: rows.length > limit ? String(page[page.length - 1]!.seq) : null,
      };
    },
  );

  app.get(
    '/api/v1/admin/audit.csv',
    {
      schema: {
        summary: `Matching audit events as CSV (newest first, at most ${MAX_EXPORT_ROWS})`,
        tags,
        querystring: AuditFilters,
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      toQuery(request.query, 1); // reject a bad time range before the download starts
      const events = matching(request.query);
      async function* lines() {
        yield csvLine(CSV_COLUMNS);
        for await (const e of events) {
          yield csvLine([
            e.seq,
            e.time,
            e.actor,
            e.action,
            e.outcome,
            e.targetRoleArn,
            e.roleSessionName,
            e.errorCode,
            e.sourceIp,
            e.userAgent,
            e.requestId,
            e.metadata ? JSON.stringify(e.metadata) : null,
            e.prevHash,
            e.hash,
          ]);
        }
      }
      return sendDownload(reply, 'text/csv', 'audit-log.csv', lines());
    },
  );

  app.get(
    '/api/v1/admin/audit.json',
    {
      schema: {
        summary: `Matching audit events as a JSON array (newest first, at most ${MAX_EXPORT_ROWS})`,
        tags,
        querystring: AuditFilters,
      },
    },
    async (request, reply) => {
      toQuery(request.query, 1);
      const events = matching(request.query);
      async function* chunks() {
        let first = true;
        yield '[';
        for await (const e of events) {
          yield `${first ? '\n' : ',\n'}${JSON.stringify(auditEventBody(e))}`;
          first = false;
        }
        yield '\n]\n';
      }
      return sendDownload(reply, 'application/json', 'audit-log.json', chunks());
    },
  );

  app.get(
    '/api/v1/admin/audit/verify',
    {
      schema: {
        summary: "Verify the audit log's hash chain",
        tags,
        response: {
          200: Type.Object({
            ok: Type.Boolean(),
            checked: Type.Integer(),
            brokenAtSeq: Nullable(Type.Integer()),
            verifiedAt: Type.String({ format: 'date-time' }),
          }),
          ...errorResponses,
        },
      },
    },
    async () => {
      const check = await app.services.audit.verifyChain();
      return {
        ok: check.ok,
        checked: check.checked,
        brokenAtSeq: check.brokenAtSeq ?? null,
        verifiedAt: new Date().toISOString(),
      };
    },
  );
};

export default adminAuditRoutes;
