import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { ComplianceUserRow } from '../services/compliance/compliance-repository.ts';
import type { ScanProgress as Progress } from '../services/compliance/compliance-types.ts';
import { csvLine } from '../services/export/csv.ts';
import { requireAdmin } from './admin-guard.ts';
import {
  ComplianceFilter,
  ComplianceSort,
  ComplianceSummary,
  ComplianceUser,
  Cursor,
  DateTime,
  iso,
  Nullable,
  ScanProgress,
} from './admin-schemas.ts';
import { sendDownload } from './download-response.ts';
import { originOf } from './request-origin.ts';
import { errorResponses } from './schemas.ts';

const DAY_MS = 86_400_000;

export function complianceUserBody(row: ComplianceUserRow, now = Date.now()) {
  return {
    userName: row.userName,
    userArn: row.userArn,
    userCreatedAt: iso(row.userCreatedAt),
    consoleAccess: row.consoleAccess,
    passwordLastUsedAt: iso(row.passwordLastUsedAt),
    mfaActive: row.mfaActive,
    mfaDeviceCount: row.mfaDeviceCount,
    virtualMfaCount: row.virtualMfaCount,
    hardwareMfaCount: row.hardwareMfaCount,
    activeKeyCount: row.activeKeyCount,
    oldestKeyCreatedAt: iso(row.oldestKeyCreatedAt),
    oldestKeyAgeDays: row.oldestKeyCreatedAt ? Math.floor((now - row.oldestKeyCreatedAt.getTime()) / DAY_MS) : null,
    keysLastUsedAt: iso(row.keysLastUsedAt),
    keysWorkWithoutMfa: row.keysWithoutMfa as 'yes' | 'no' | 'unknown' | 'n/a',
    enrolled: row.enrolled,
    lastPortalSignInAt: iso(row.lastPortalSignInAt),
  };
}

const progressBody = (scan: Progress | null) =>
  scan ? { ...scan, startedAt: scan.startedAt.toISOString(), finishedAt: iso(scan.finishedAt) } : null;

const CSV_COLUMNS = [
  'user_name',
  'user_arn',
  'user_created',
  'console_access',
  'password_last_used',
  'mfa_active',
  'mfa_devices',
  'virtual_mfa',
  'hardware_mfa',
  'active_keys',
  'oldest_key_created',
  'oldest_key_age_days',
  'keys_last_used',
  'keys_work_without_mfa',
  'enrolled_in_portal',
  'last_portal_sign_in',
];

const Query = Type.Object(
  {
    filter: Type.Optional(ComplianceFilter),
    q: Type.Optional(Type.String({ maxLength: 64, description: 'Part of a user name (case-insensitive)' })),
    sort: Type.Optional(ComplianceSort),
  },
  { additionalProperties: false },
);

/** The compliance dashboard's data: the latest snapshot, its history, exports and scans. */
const adminComplianceRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', requireAdmin);
  const tags = ['admin: compliance'];

  app.get(
    '/api/v1/admin/compliance',
    {
      schema: {
        summary: 'The latest compliance snapshot: summary figures and one page of users',
        tags,
        querystring: Type.Object(
          {
            ...Query.properties,
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
            cursor: Type.Optional(Cursor),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            scanId: Nullable(Type.String()),
            scannedAt: Nullable(DateTime),
            reportGeneratedAt: Nullable(DateTime),
            summary: Nullable(ComplianceSummary),
            users: Type.Array(ComplianceUser),
            nextCursor: Nullable(Type.String()),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { filter, q, sort, limit, cursor } = request.query;
      const page = await app.services.compliance.dashboard({ filter, search: q, sort, limit, cursor });
      const now = Date.now();
      return {
        scanId: page.scanId,
        scannedAt: iso(page.scannedAt),
        reportGeneratedAt: iso(page.reportGeneratedAt),
        summary: page.summary,
        users: page.users.map((u) => complianceUserBody(u, now)),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.get(
    '/api/v1/admin/compliance.csv',
    {
      schema: {
        summary: 'Every user of the latest snapshot (with the same filters) as CSV',
        tags,
        querystring: Query,
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const { filter, q, sort } = request.query;
      const rows = app.services.compliance.allUsers({ filter, search: q, sort });
      async function* lines() {
        yield csvLine(CSV_COLUMNS);
        const now = Date.now();
        for await (const row of rows) {
          const u = complianceUserBody(row, now);
          yield csvLine([
            u.userName,
            u.userArn,
            u.userCreatedAt,
            u.consoleAccess,
            u.passwordLastUsedAt,
            u.mfaActive,
            u.mfaDeviceCount,
            u.virtualMfaCount,
            u.hardwareMfaCount,
            u.activeKeyCount,
            u.oldestKeyCreatedAt,
            u.oldestKeyAgeDays,
            u.keysLastUsedAt,
            u.keysWorkWithoutMfa,
            u.enrolled,
            u.lastPortalSignInAt,
          ]);
        }
      }
      return sendDownload(reply, 'text/csv', 'mfa-compliance.csv', lines());
    },
  );

  app.post(
    '/api/v1/admin/compliance/scan',
    {
      schema: {
        summary: 'Start a compliance scan now (unless one is already running on any portal instance)',
        tags,
        response: { 202: Type.Object({ started: Type.Boolean(), scan: Nullable(ScanProgress) }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const admin = request.session.userName!;
      const result = await app.services.compliance.startScan('manual', { actor: admin, origin: originOf(request) });
      return reply.code(202).send({ started: result.started, scan: progressBody(result.scan) });
    },
  );

  app.get(
    '/api/v1/admin/compliance/scan',
    {
      schema: {
        summary: 'Progress of the running scan, or the outcome of the last one',
        tags,
        response: { 200: Type.Object({ scan: Nullable(ScanProgress) }), ...errorResponses },
      },
    },
    async () => ({ scan: progressBody(await app.services.compliance.progress()) }),
  );

  app.get(
    '/api/v1/admin/compliance/history',
    {
      schema: {
        summary: 'Summary figures of past completed scans, oldest first (the trend)',
        tags,
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 90 }),
            since: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            points: Type.Array(Type.Object({ scanId: Type.String(), scannedAt: DateTime, summary: ComplianceSummary })),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const since = request.query.since ? new Date(request.query.since) : undefined;
      const points = await app.services.compliance.history(request.query.limit, since);
      return { points: points.map((p) => ({ ...p, scannedAt: p.scannedAt.toISOString() })) };
    },
  );
};

export default adminComplianceRoutes;
