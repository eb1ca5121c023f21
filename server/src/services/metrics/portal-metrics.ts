import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * How credentials left the portal, as the `path` label names it. The console helper's container
 * endpoint and console sign-in plug in as `container` and `console`: tag their route with
 * `config: { issuancePath: 'container' }` (plugins/metrics.ts observes every tagged route).
 */
export const ISSUANCE_PATHS = [
  'browser',
  'one_shot',
  'credential_process',
  'session_token',
  'container',
  'console',
] as const;
export type IssuancePath = (typeof ISSUANCE_PATHS)[number];

/** A request's ending, from its status: the `outcome` label (a bounded set, never free text). */
export type RequestOutcome = 'issued' | 'denied' | 'throttled' | 'rejected' | 'error';

export function outcomeOfStatus(status: number): RequestOutcome {
  if (status < 400) return 'issued';
  if (status === 401 || status === 403) return 'denied';
  if (status === 429) return 'throttled';
  if (status < 500) return 'rejected';
  return 'error';
}

export interface MetricsOptions {
  /** Adds a `user` label to the issuance counter: the operator's choice (cardinality grows with users). */
  userLabels: boolean;
  /** Counts for the "alive" gauges, read at scrape time. */
  alive?: { webSessions(): Promise<number>; cliTokens(): Promise<number> };
}

const LATENCY_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Every metric the portal exports, in one registry per app (tests build many apps in one
 * process). Names are documented in the README's Metrics section; keep them stable.
 */
export function createPortalMetrics(options: MetricsOptions) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const issuances = new Counter({
    name: 'portal_credential_issuances_total',
    help: 'Requests for AWS credentials, by path and outcome.',
    labelNames: options.userLabels ? ['path', 'outcome', 'user'] : ['path', 'outcome'],
    registers,
  });
  const issuanceSeconds = new Histogram({
    name: 'portal_credential_issuance_duration_seconds',
    help: 'Time to answer a request for AWS credentials, by path and outcome.',
    labelNames: ['path', 'outcome'],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const awsCalls = new Counter({
    name: 'portal_aws_calls_total',
    help: 'Calls to AWS, by service, operation and result (ok or the failure kind).',
    labelNames: ['service', 'operation', 'result'],
    registers,
  });
  const awsSeconds = new Histogram({
    name: 'portal_aws_call_duration_seconds',
    help: 'Latency of calls to AWS (with the SDK retries and every page), by service and operation.',
    labelNames: ['service', 'operation'],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const mfaRejections = new Counter({
    name: 'portal_mfa_rejections_total',
    help: 'MFA code attempts turned away, by reason (the audit error code).',
    labelNames: ['reason'],
    registers,
  });
  const budgetRefusals = new Counter({
    name: 'portal_mfa_budget_refusals_total',
    help: 'MFA code attempts refused because an attempt budget was spent, by budget.',
    labelNames: ['budget'],
    registers,
  });
  const auditSeconds = new Histogram({
    name: 'portal_audit_append_duration_seconds',
    help: 'Time to append one audit row (own transaction; rows written in a caller transaction are not timed).',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers,
  });
  const auditFailures = new Counter({
    name: 'portal_audit_append_failures_total',
    help: 'Audit rows that could not be written.',
    registers,
  });
  const scans = new Counter({
    name: 'portal_compliance_scans_total',
    help: 'Compliance scans run by this instance, by outcome.',
    labelNames: ['outcome'],
    registers,
  });
  const scanSeconds = new Histogram({
    name: 'portal_compliance_scan_duration_seconds',
    help: 'Duration of compliance scans, by outcome.',
    labelNames: ['outcome'],
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800],
    registers,
  });
  const scanCalls = new Gauge({
    name: 'portal_compliance_scan_aws_calls',
    help: 'AWS calls the last finished compliance scan of this instance made.',
    registers,
  });
  const scanLastSuccess = new Gauge({
    name: 'portal_compliance_scan_last_success_timestamp_seconds',
    help: 'Unix time the last successful compliance scan of this instance finished.',
    registers,
  });
  const sinkDelivered = new Counter({
    name: 'portal_audit_sink_delivered_total',
    help: 'Audit events delivered to a SIEM sink.',
    labelNames: ['sink'],
    registers,
  });
  const sinkFailures = new Counter({
    name: 'portal_audit_sink_failures_total',
    help: 'Failed deliveries of audit batches to a SIEM sink (retried).',
    labelNames: ['sink'],
    registers,
  });
  const sinkLag = new Gauge({
    name: 'portal_audit_sink_lag_events',
    help: 'Audit events written but not yet delivered to a sink (measured by the delivering instance).',
    labelNames: ['sink'],
    registers,
  });
  const { alive } = options;
  new Gauge({
    name: 'portal_web_sessions_alive',
    help: 'Signed-in browser sessions that have not expired.',
    registers,
    async collect() {
      if (alive) this.set(await alive.webSessions());
    },
  });
  new Gauge({
    name: 'portal_cli_tokens_alive',
    help: 'credential_process tokens neither expired nor revoked.',
    registers,
    async collect() {
      if (alive) this.set(await alive.cliTokens());
    },
  });

  return {
    registry,
    issuance(path: IssuancePath, outcome: RequestOutcome, seconds: number, user?: string): void {
      issuances.inc(options.userLabels ? { path, outcome, user: user ?? '' } : { path, outcome });
      issuanceSeconds.observe({ path, outcome }, seconds);
    },
    awsCall(call: { service: string; operation: string; result: string; seconds: number }): void {
      awsCalls.inc({ service: call.service, operation: call.operation, result: call.result });
      awsSeconds.observe({ service: call.service, operation: call.operation }, call.seconds);
    },
    mfaRejection(reason: string): void {
      mfaRejections.inc({ reason });
    },
    budgetRefusal(budget: string): void {
      budgetRefusals.inc({ budget });
    },
    auditAppend(seconds: number, ok: boolean): void {
      if (ok) auditSeconds.observe(seconds);
      else auditFailures.inc();
    },
    scan(outcome: 'complete' | 'failed' | 'cancelled', seconds: number, calls: number, finishedAt: Date): void {
      scans.inc({ outcome });
      scanSeconds.observe({ outcome }, seconds);
      scanCalls.set(calls);
      if (outcome === 'complete') scanLastSuccess.set(finishedAt.getTime() / 1000);
    },
    sinkDelivered(sink: string, count: number): void {
      sinkDelivered.inc({ sink }, count);
    },
    sinkFailed(sink: string): void {
      sinkFailures.inc({ sink });
    },
    sinkLag(sink: string, events: number): void {
      sinkLag.set({ sink }, events);
    },
  };
}

export type PortalMetrics = ReturnType<typeof createPortalMetrics>;
