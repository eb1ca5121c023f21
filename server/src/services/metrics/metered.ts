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
};

/** The AWS calls of the running compliance scan, counted across its concurrent work. */
const scanCalls = new AsyncLocalStorage<{ calls: number }>();

const seconds = (startedAt: bigint) => Number(process.hrtime.bigint() - startedAt) / 1e9;

/**
 * The gateway with every call counted and timed (`portal_aws_calls_total`, `..._duration_seconds`).
 * Wrapping the gateway rather than each SDK client measures what the portal waits for: the SDK's
 * retries and every page of a paginated listing count as one call. Methods added to the gateway
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
    metered[name] = async (...args: unknown[]) => {
      const startedAt = process.hrtime.bigint();
      const scan = scanCalls.getStore();
      if (scan) scan.calls++;
      try {
        const result = await (method as (...a: unknown[]) => Promise<unknown>).apply(aws, args);
        metrics.awsCall({ service, operation, result: 'ok', seconds: seconds(startedAt) });
        return result;
      } catch (error) {
        const result = error instanceof AwsCallError ? error.kind : 'error';
        metrics.awsCall({ service, operation, result, seconds: seconds(startedAt) });
        throw error;
      }
    };
  }
  return metered as unknown as AwsGateway;
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
