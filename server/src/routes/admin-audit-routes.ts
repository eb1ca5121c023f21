import type { FastifyPluginAsync } from 'fastify';
import type { StaticDecode } from 'typebox';
import { badRequest } from '../errors/app-error.ts';
import type { AuditRecord } from '../services/audit/audit-events.ts';
import type { AuditQuery } from '../services/audit/audit-repository.ts';
import { csvLine } from '../services/export/csv.ts';
import { requireAdmin } from './admin-guard.ts';
import {
  AuditEvent,
  AuditFilters,
  AuditPage,
  AuditPageQuery,
  auditJsonDownload,
  ChainCheck,
  ChainCheckQuery,
  csvDownload,
} from './admin-schemas.ts';
import { csvHeader } from './csv-columns.ts';
import { sendDownload } from './download-response.ts';
import type { RouteTypeProvider } from './route-type-provider.ts';
import { errorResponses } from './schemas.ts';

/** Exports stop here; narrow the time range for more (a portal with more events needs a SIEM). */
export const MAX_EXPORT_ROWS = 100_000;
const EXPORT_BATCH = 1000;

function toQuery(filters: AuditFilters, limit: number, beforeSeq?: number): AuditQuery {
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

export function auditEventBody(record: AuditRecord): StaticDecode<typeof AuditEvent> {
  return {
    seq: record.seq,
    id: record.id,
    time: record.time,
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

/** The CSV export has a column per field of AuditEvent but its id (rows go by seq); metadata as JSON text. */
const CSV_FIELDS = (Object.keys(AuditEvent.properties) as Array<keyof AuditEvent>).filter((field) => field !== 'id');

/** The audit log for admins: filtered pages (newest first), exports, and the chain check. */
const adminAuditRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<RouteTypeProvider>();
  app.addHook('onRequest', requireAdmin);
  const tags = ['admin: audit'];

  /** Every matching event, newest first, in batches, up to the export limit. */
  async function* matching(filters: AuditFilters): AsyncGenerator<AuditRecord> {
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
        querystring: AuditPageQuery,
        response: { 200: AuditPage, ...errorResponses },
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
        response: { ...csvDownload('Matching audit events, one row each'), ...errorResponses },
      },
    },
    async (request, reply) => {
      toQuery(request.query, 1); // reject a bad time range before the download starts
      const events = matching(request.query);
      async function* lines() {
        yield csvHeader(CSV_FIELDS);
        for await (const record of events) {
          const event = auditEventBody(record);
          yield csvLine(
            CSV_FIELDS.map((field) =>
              field === 'metadata' ? (event.metadata ? JSON.stringify(event.metadata) : null) : event[field],
            ),
          );
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
        response: { ...auditJsonDownload, ...errorResponses },
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
        description:
          'Verifies the rows added since the last good check (and that its head row is unchanged), or with `full=true` every row. ' +
          'One check of each kind runs at a time per instance; concurrent callers share it.',
        tags,
        querystring: ChainCheckQuery,
        response: { 200: ChainCheck, ...errorResponses },
      },
    },
    async (request) => {
      const check = await app.services.chainVerifier.check({ full: request.query.full === true });
      return {
        ok: check.ok,
        checked: check.checked,
        brokenAtSeq: check.brokenAtSeq ?? null,
        verifiedAt: new Date(),
        scope: check.scope,
        fullCheckAt: check.fullCheckAt,
      };
    },
  );
};

export default adminAuditRoutes;
