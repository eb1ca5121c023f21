import { AsyncLocalStorage } from 'node:async_hooks';
import { AwsCallError } from '../../aws/aws-errors.ts';
import type { AwsGateway } from '../../aws/aws-gateway.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { ComplianceScanner } from '../compliance/compliance-scanner.ts';
import { ScanCancelledError } from '../compliance/compliance-scanner.ts';
import type { PortalMetrics } from './portal-metrics.ts';

/** Gateway methods that call STS; every other method calls IAM. */
const STS_METHODS = new Set(['getSessionToken', 'assumeRole', 'getCallerIdentity', 'portalCallerIdentity']);
/** AWS's spelling of the operation where the method name does not give it. */
const OPERATIONS: Record<string, string> = {
  portalCallerIdentity: 'GetCallerIdentity',
  listAccessKeyIds: 'ListAccessKeys',
  listMfaDevices: 'ListMFADevices',
  listVirtualMfaDevices: 'ListVirtualMFADevices',
  createVirtualMfaDevice: 'CreateVirtualMFADevice',
  enableMfaDevice: 'EnableMFADevice',
  deleteVirtualMfaDevice: 'DeleteVirtualMFADevice',
  accountAlias: 'ListAccountAliases',
  authorizationDetailsPages: 'GetAccountAuthorizationDetails',
  virtualMfaAssignmentPages: 'ListVirtualMFADevices',
};

/** The AWS calls of the running compliance scan, counted across its concurrent work. */
const scanCalls = new AsyncLocalStorage<{ calls: number }>();

const seconds = (startedAt: bigint) => Number(process.hrtime.bigint() - startedAt) / 1e9;

/**
 * The gateway with every call counted and timed (`portal_aws_calls_total`, `..._duration_seconds`).
 * Wrapping the gateway rather than each SDK client measures what the portal waits for: the SDK's
 * retries count as one call, and so does a listing the gateway collects whole; the page-by-page
 * listings a scan streams (async iterables) count one call per page. Methods added to the gateway
 * later are measured without changes here (operation: the method name in PascalCase).
 */
export function meteredGateway(aws: AwsGateway, metrics: Pick<PortalMetrics, 'awsCall'>): AwsGateway {
  const metered: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(aws)) {
    if (typeof method !== 'function') {
      metered[name] = method;
      continue;
    }
    const service = STS_METHODS.has(name) ? 'sts' : 'iam';
    const operation = OPERATIONS[name] ?? name.charAt(0).toUpperCase() + name.slice(1);
    const record = (result: string, startedAt: bigint) =>
      metrics.awsCall({ service, operation, result, seconds: seconds(startedAt) });
    const failure = (error: unknown) => (error instanceof AwsCallError ? error.kind : 'error');
    metered[name] = (...args: unknown[]) => {
      const startedAt = process.hrtime.bigint();
      const scan = scanCalls.getStore();
      const answer = (method as (...a: unknown[]) => unknown).apply(aws, args);
      // Page-by-page listings (async iterables): each page is one AWS call, timed as it arrives.
      if (isAsyncIterable(answer)) return meteredPages(answer, scan, record, failure);
      if (scan) scan.calls++;
      return Promise.resolve(answer).then(
        (result) => {
          record('ok', startedAt);
          return result;
        },
        (error: unknown) => {
          record(failure(error), startedAt);
          throw error;
        },
      );
    };
  }
  return metered as unknown as AwsGateway;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value && !('then' in value);
}

async function* meteredPages(
  pages: AsyncIterable<unknown>,
  scan: { calls: number } | undefined,
  record: (result: string, startedAt: bigint) => void,
  failure: (error: unknown) => string,
): AsyncGenerator<unknown> {
  const iterator = pages[Symbol.asyncIterator]();
  try {
    while (true) {
      const startedAt = process.hrtime.bigint();
      if (scan) scan.calls++;
      let step: IteratorResult<unknown>;
      try {
        step = await iterator.next();
      } catch (error) {
        record(failure(error), startedAt);
        throw error;
      }
      if (step.done) return;
      record('ok', startedAt);
      yield step.value;
    }
  } finally {
    await iterator.return?.();
  }
}

/** The audit service with appends timed and failures counted. The chain itself is untouched. */
export function meteredAudit(audit: AuditService, metrics: Pick<PortalMetrics, 'auditAppend'>): AuditService {
  return {
    ...audit,
    async append(entry, tx) {
      const startedAt = process.hrtime.bigint();
      try {
        const record = await audit.append(entry, tx);
        // Inside a caller's transaction the row is not durable yet, and the time is the caller's.
        if (!tx) metrics.auditAppend(seconds(startedAt), true);
        return record;
      } catch (error) {
        metrics.auditAppend(0, false);
        throw error;
      }
    },
  };
}

/** The scanner with each scan's duration, AWS calls and outcome recorded. */
export function meteredScanner(scanner: ComplianceScanner, metrics: Pick<PortalMetrics, 'scan'>): ComplianceScanner {
  return {
    ...scanner,
    scan(observer) {
      const counter = { calls: 0 };
      const startedAt = process.hrtime.bigint();
      return scanCalls.run(counter, async () => {
        try {
          const result = await scanner.scan(observer);
          metrics.scan('complete', seconds(startedAt), counter.calls, new Date());
          return result;
        } catch (error) {
          const outcome = error instanceof ScanCancelledError ? 'cancelled' : 'failed';
          metrics.scan(outcome, seconds(startedAt), counter.calls, new Date());
          throw error;
        }
      });
    },
  };
}
