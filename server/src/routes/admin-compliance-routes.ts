import type { FastifyPluginAsync } from 'fastify';
import type { StaticDecode } from 'typebox';
import type { ComplianceUserRow } from '../services/compliance/compliance-repository.ts';
import { csvLine } from '../services/export/csv.ts';
import { requireAdmin } from './admin-guard.ts';
import {
  CompliancePage,
  CompliancePageQuery,
  ComplianceUser,
  csvDownload,
  History,
  HistoryQuery,
  ScanStarted,
  ScanState,
  UserQuery,
} from './admin-schemas.ts';
import { csvHeader } from './csv-columns.ts';
import { sendDownload } from './download-response.ts';
import { originOf } from './request-origin.ts';
import type { RouteTypeProvider } from './route-type-provider.ts';
import { errorResponses } from './schemas.ts';

const DAY_MS = 86_400_000;

export function complianceUserBody(row: ComplianceUserRow, now = Date.now()): StaticDecode<typeof ComplianceUser> {
  return {
    userName: row.userName,
    userArn: row.userArn,
    userCreatedAt: row.userCreatedAt,
    consoleAccess: row.consoleAccess,
    passwordLastUsedAt: row.passwordLastUsedAt,
    mfaActive: row.mfaActive,
    mfaDeviceCount: row.mfaDeviceCount,
    virtualMfaCount: row.virtualMfaCount,
    hardwareMfaCount: row.hardwareMfaCount,
    fidoMfaCount: row.fidoMfaCount,
    activeKeyCount: row.activeKeyCount,
    oldestKeyCreatedAt: row.oldestKeyCreatedAt,
    oldestKeyAgeDays: row.oldestKeyCreatedAt ? Math.floor((now - row.oldestKeyCreatedAt.getTime()) / DAY_MS) : null,
    keysLastUsedAt: row.keysLastUsedAt,
    keysWorkWithoutMfa: row.keysWorkWithoutMfa as ComplianceUser['keysWorkWithoutMfa'],
    enrolled: row.enrolled,
    lastPortalSignInAt: row.lastPortalSignInAt,
  };
}

/** The CSV export has one column per field of ComplianceUser, in the same order. */
const CSV_FIELDS = Object.keys(ComplianceUser.properties) as Array<keyof ComplianceUser>;

/** The compliance dashboard's data: the latest snapshot, its history, exports and scans. */
const adminComplianceRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<RouteTypeProvider>();
  app.addHook('onRequest', requireAdmin);
  const tags = ['admin: compliance'];

  app.get(
    '/api/v1/admin/compliance',
    {
      schema: {
        summary: 'The latest compliance snapshot: summary figures and one page of users',
        tags,
        querystring: CompliancePageQuery,
        response: { 200: CompliancePage, ...errorResponses },
      },
    },
    async (request) => {
      const { filter, q, sort, limit, cursor } = request.query;
      const page = await app.services.compliance.dashboard({ filter, search: q, sort, limit, cursor });
      const now = Date.now();
      return {
        scanId: page.scanId,
        scannedAt: page.scannedAt,
        reportGeneratedAt: page.reportGeneratedAt,
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
        querystring: UserQuery,
        response: { ...csvDownload('Every matching user, one row each'), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { filter, q, sort } = request.query;
      const rows = app.services.compliance.allUsers({ filter, search: q, sort });
      async function* lines() {
        yield csvHeader(CSV_FIELDS);
        const now = Date.now();
        for await (const row of rows) {
          const user = complianceUserBody(row, now);
          yield csvLine(CSV_FIELDS.map((field) => user[field]));
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
        response: { 202: ScanStarted, ...errorResponses },
      },
    },
    async (request, reply) => {
      const admin = request.session.userName!;
      const result = await app.services.compliance.startScan('manual', { actor: admin, origin: originOf(request) });
      return reply.code(202).send({ started: result.started, scan: result.scan });
    },
  );

  app.get(
    '/api/v1/admin/compliance/scan',
    {
      schema: {
        summary: 'Progress of the running scan, or the outcome of the last one',
        tags,
        response: { 200: ScanState, ...errorResponses },
      },
    },
    async () => ({ scan: await app.services.compliance.progress() }),
  );

  app.get(
    '/api/v1/admin/compliance/history',
    {
      schema: {
        summary: 'Summary figures of past completed scans, oldest first (the trend)',
        tags,
        querystring: HistoryQuery,
        response: { 200: History, ...errorResponses },
      },
    },
    async (request) => {
      const since = request.query.since ? new Date(request.query.since) : undefined;
      return { points: await app.services.compliance.history(request.query.limit, since) };
    },
  );
};

export default adminComplianceRoutes;
