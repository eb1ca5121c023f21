import path from 'node:path';
import { z } from 'zod';
import { DatabaseUrlError, parseDatabaseUrl } from '../db/database-url.ts';
import { profilePatternProblem } from '../formats/aws-config-profiles.ts';
import { type AlertWebhook, parseAlertWebhooks } from '../services/alerts/alert-webhooks.ts';
import { type MasterKey, parseMasterKey } from '../services/custody/secret-box.ts';
import { type AuditSinkSettings, type MetricsSettings, opsSettingsFrom, opsSettingsShape } from './ops-settings.ts';
import { proxySettingProblems, trustedProxyList } from './trusted-proxies.ts';

/**
 * Every setting the portal reads, parsed once at boot. Nothing else in the server reads
 * process.env (the AWS SDK reads its own variables: AWS_REGION, AWS_ENDPOINT_URL*, credentials).
 * `.env.example` documents each key; keep the two in step.
 */
const port = z.coerce
  .number({ error: 'must be a number' })
  .int('must be an integer')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');

const databaseUrl = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .superRefine((url, ctx) => {
    try {
      parseDatabaseUrl(url);
    } catch (error) {
      // The parser's messages describe the problem without echoing the URL (it may hold a password).
      ctx.addIssue({
        code: 'custom',
        message: error instanceof DatabaseUrlError ? error.message : 'is not a valid database URL',
      });
    }
  });

const masterKey = z.string().transform((value, ctx) => {
  try {
    return parseMasterKey(value);
  } catch (error) {
    ctx.addIssue({
      code: 'custom',
      message: `${(error as Error).message} (generate one with: openssl rand -base64 32)`,
    });
    return z.NEVER;
  }
});

const duration = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number of seconds' })
    .int('must be a whole number of seconds')
    .min(min, `must be between ${min} and ${max} seconds`)
    .max(max, `must be between ${min} and ${max} seconds`);

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const publicUrl = z
  .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL such as https://portal.example.com' })
  .transform((url) => url.replace(/\/+$/, ''));

/** An AWS sign-in federation endpoint (https; http only for a local emulator on loopback). */
const federationUrl = z
  .url({ protocol: /^https?$/, error: 'must be an absolute URL such as https://signin.aws.amazon.com/federation' })
  .refine(
    (url) => url.startsWith('https://') || /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//.test(url),
    'must be https (http only on loopback, for the emulator)',
  );

const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  HOST: z.string().trim().min(1, 'must not be empty').max(255).default('127.0.0.1'),
  PORT: port.default(3000),
  DATABASE_URL: databaseUrl.default('file:./data/portal.db'),
  PUBLIC_URL: publicUrl.optional(),
  LOG_LEVEL: logLevel.default('info'),
  /** Proxies (IPs or CIDRs, comma-separated) whose X-Forwarded-* is believed; none by default. */
  TRUSTED_PROXIES: trustedProxyList.default([]),
  WEB_DIST_DIR: z.string().trim().min(1).default('dist/web'),
  /**
   * Seconds after SIGTERM during which the instance still serves but /readyz answers 503, so the
   * balancer takes it out of rotation before it stops accepting. Longer than the balancer's
   * detection time; 0 closes at once (one instance, no balancer).
   */
  SHUTDOWN_DRAIN_SECONDS: z.coerce.number({ error: 'must be a number' }).int().min(0).max(300).default(5),
  /** Seconds to let in-flight requests finish once the listener closed before the process exits anyway. */
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number({ error: 'must be a number' }).int().min(1).max(600).default(25),
  MIGRATE_ON_START: booleanFlag.default(true),
  /** Seals the users' keys and MFA sessions (AES-256-GCM). base64 of 32 random bytes. */
  PORTAL_MASTER_KEY: masterKey.optional(),
  /** Keys that sealed older records, comma-separated, kept until `rotate-master-key` has run. */
  PORTAL_PREVIOUS_MASTER_KEYS: z
    .string()
    .transform((value, ctx) => {
      const keys = value
        .split(',')
        .map((k) => k.trim())
        .filter((k) => k !== '');
      for (const key of keys) {
        try {
          parseMasterKey(key);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: `each key ${(error as Error).message}` });
          return z.NEVER;
        }
      }
      return keys;
    })
    .optional(),
  /** Signs session cookies; derived from PORTAL_MASTER_KEY when unset, so every instance agrees. */
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').max(512).optional(),
  PORTAL_ADMIN_GROUP: z
    .string()
    .trim()
    .regex(/^[\w+=,.@-]{1,128}$/, 'must be an IAM group name')
    .default('portal-admins'),
  AWS_REGION: z
    .string()
    .trim()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'must be an AWS region such as us-east-1')
    .default('us-east-1'),
  /** Lifetime of a browser sign-in (the MFA session behind it). */
  SESSION_DURATION_SECONDS: duration(900, 129600).default(43200),
  /** Lifetime of a credential_process token (the MFA session behind it). */
  CLI_TOKEN_DURATION_SECONDS: duration(900, 129600).default(43200),
  /** MFA code attempts per user name from one address in a window. */
  MFA_FAILURE_LIMIT: z.coerce
    .number({ error: 'must be a number' })
    .int('must be an integer')
    .min(1)
    .max(100)
    .default(5),
  /** MFA code attempts per user name from all addresses together in a window (at least MFA_FAILURE_LIMIT). */
  MFA_FAILURE_LIMIT_PER_USER: z.coerce
    .number({ error: 'must be a number' })
    .int('must be an integer')
    .min(1)
    .max(1000)
    .default(20),
  MFA_FAILURE_LIMIT_PER_ADDRESS: z.coerce
    .number({ error: 'must be a number' })
    .int('must be an integer')
    .min(1)
    .max(10000)
    .default(50),
  MFA_FAILURE_WINDOW_SECONDS: duration(60, 86400).default(900),
  /** API requests per client address per minute on each instance (a flood ceiling; pages and assets are not counted). */
  API_REQUESTS_PER_MINUTE: z.coerce
    .number({ error: 'must be a number' })
    .int('must be an integer')
    .min(10)
    .max(1_000_000)
    .default(600),
  /** Every rejected MFA code is answered no sooner than this, so timing tells unknown users from wrong codes. */
  MFA_FAILURE_FLOOR_MS: z.coerce
    .number({ error: 'must be a number of milliseconds' })
    .int('must be whole milliseconds')
    .min(0)
    .max(10000)
    .default(400),
  /** How long IAM group memberships (who may request which role, who is an admin) are cached. */
  GROUP_CACHE_SECONDS: duration(0, 3600).default(60),
  /** Minutes between compliance scans (and a scan at start when none exists); 0 = only on demand. */
  COMPLIANCE_SCAN_INTERVAL_MINUTES: z.coerce
    .number({ error: 'must be a number of minutes' })
    .int('must be whole minutes')
    .min(0)
    .max(10080, 'must be at most 10080 (a week)')
    .default(360),
  /** AWS calls a compliance scan makes at once (per-user MFA device listing and policy simulation). */
  COMPLIANCE_SCAN_CONCURRENCY: z.coerce
    .number({ error: 'must be a number' })
    .int('must be an integer')
    .min(1)
    .max(32)
    .default(8),
  /** The sign-in federation endpoint per AWS partition (console sign-in). */
  CONSOLE_FEDERATION_URL_AWS: federationUrl.default('https://signin.aws.amazon.com/federation'),
  CONSOLE_FEDERATION_URL_AWS_US_GOV: federationUrl.default('https://signin.amazonaws-us-gov.com/federation'),
  CONSOLE_FEDERATION_URL_AWS_CN: federationUrl.default('https://signin.amazonaws.cn/federation'),
  /** Webhooks that get one message per regressing compliance scan (services/alerts/alert-webhooks.ts). */
  ALERT_WEBHOOKS: z
    .string()
    .transform((text, ctx) => {
      const { webhooks, problems } = parseAlertWebhooks(text);
      for (const message of problems) ctx.addIssue({ code: 'custom', message });
      return webhooks;
    })
    .optional(),
  /** Tries per alert delivery (with exponential back-off) before it is shown as failed. */
  ALERT_DELIVERY_ATTEMPTS: z.coerce
    .number({ error: 'must be a number' })
    .int('must be an integer')
    .min(1)
    .max(10)
    .default(5),
  /** How long an MFA setup link works after an administrator creates it. */
  MFA_SETUP_LINK_HOURS: z.coerce
    .number({ error: 'must be a number of hours' })
    .int('must be whole hours')
    .min(1)
    .max(168)
    .default(24),
  ...opsSettingsShape,
  /**
   * Name of the role the portal assumes in each other account of the catalog to put its
   * revocation policies there (arn:aws:iam::<account>:role/<name>); unset: such roles are reported
   * as not revoked.
   */
  REVOCATION_ROLE_NAME: z
    .string()
    .regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name')
    .optional(),
  /** Profile names of the generated ~/.aws/config: {account} (alias, else id), {accountId}, {role}, {roleName}. */
  AWS_CONFIG_PROFILE_PATTERN: z
    .string()
    .trim()
    .max(128)
    .superRefine((pattern, ctx) => {
      const problem = profilePatternProblem(pattern);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .default('{account}-{role}'),
});

export type Environment = z.infer<typeof environmentSchema>;

/** Every environment variable the portal reads (documented one by one in .env.example). */
export const SETTING_NAMES = Object.keys(environmentSchema.shape);

export interface Config {
  env: Environment['NODE_ENV'];
  host: string;
  port: number;
  databaseUrl: string;
  publicUrl: string | undefined;
  logLevel: Environment['LOG_LEVEL'];
  /** Addresses and CIDR ranges of the reverse proxies in front; empty = X-Forwarded-* is ignored. */
  trustedProxies: string[];
  webDistDir: string;
  shutdownDrainMs: number;
  shutdownTimeoutMs: number;
  migrateOnStart: boolean;
  /** Absent: the portal runs, but everything that needs stored keys answers 503 portal_not_configured. */
  masterKey: MasterKey | undefined;
  previousMasterKeys: MasterKey[];
  sessionSecret: string | undefined;
  adminGroup: string;
  awsRegion: string;
  sessionSeconds: number;
  cliTokenSeconds: number;
  /** Attempts per user name and address pair. */
  failureLimit: number;
  userFailureLimit: number;
  addressFailureLimit: number;
  failureWindowSeconds: number;
  failureFloorMs: number;
  /** The per-address ceiling on API requests per minute (per instance). */
  apiRequestsPerMinute: number;
  groupCacheSeconds: number;
  complianceScanIntervalMinutes: number;
  complianceScanConcurrency: number;
  mfaSetupLinkHours: number;
  /** The sign-in federation endpoint of each AWS partition. */
  consoleFederationUrls: Record<'aws' | 'aws-us-gov' | 'aws-cn', string>;
  metrics: MetricsSettings;
  auditSinks: AuditSinkSettings;
  revocationRoleName: string | undefined;
  alertWebhooks: AlertWebhook[];
  alertDeliveryAttempts: number;
  awsConfigProfilePattern: string;
}

export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Reads the settings from `env`, reporting every bad key at once (never the values of secrets).
 * Empty strings count as unset, as in most .env tooling.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const known = Object.fromEntries(
    Object.keys(environmentSchema.shape)
      .map((key) => [key, env[key]] as const)
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = environmentSchema.safeParse(known);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  problems.push(
    ...proxySettingProblems(
      env,
      parsed.success ? { publicUrl: parsed.data.PUBLIC_URL, trustedProxies: parsed.data.TRUSTED_PROXIES } : undefined,
    ),
  );
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  if (e.MFA_FAILURE_LIMIT_PER_USER < e.MFA_FAILURE_LIMIT) {
    throw new ConfigError([
      'MFA_FAILURE_LIMIT_PER_USER: must be at least MFA_FAILURE_LIMIT (it is the ceiling over all addresses)',
    ]);
  }
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    publicUrl: e.PUBLIC_URL,
    logLevel: e.LOG_LEVEL,
    trustedProxies: e.TRUSTED_PROXIES,
    webDistDir: path.resolve(cwd, e.WEB_DIST_DIR),
    shutdownDrainMs: e.SHUTDOWN_DRAIN_SECONDS * 1000,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    migrateOnStart: e.MIGRATE_ON_START,
    masterKey: e.PORTAL_MASTER_KEY,
    previousMasterKeys: (e.PORTAL_PREVIOUS_MASTER_KEYS ?? []).map(parseMasterKey),
    sessionSecret: e.SESSION_SECRET,
    adminGroup: e.PORTAL_ADMIN_GROUP,
    awsRegion: e.AWS_REGION,
    sessionSeconds: e.SESSION_DURATION_SECONDS,
    cliTokenSeconds: e.CLI_TOKEN_DURATION_SECONDS,
    failureLimit: e.MFA_FAILURE_LIMIT,
    userFailureLimit: e.MFA_FAILURE_LIMIT_PER_USER,
    addressFailureLimit: e.MFA_FAILURE_LIMIT_PER_ADDRESS,
    failureWindowSeconds: e.MFA_FAILURE_WINDOW_SECONDS,
    failureFloorMs: e.MFA_FAILURE_FLOOR_MS,
    apiRequestsPerMinute: e.API_REQUESTS_PER_MINUTE,
    groupCacheSeconds: e.GROUP_CACHE_SECONDS,
    complianceScanIntervalMinutes: e.COMPLIANCE_SCAN_INTERVAL_MINUTES,
    complianceScanConcurrency: e.COMPLIANCE_SCAN_CONCURRENCY,
    mfaSetupLinkHours: e.MFA_SETUP_LINK_HOURS,
    consoleFederationUrls: {
      aws: e.CONSOLE_FEDERATION_URL_AWS,
      'aws-us-gov': e.CONSOLE_FEDERATION_URL_AWS_US_GOV,
      'aws-cn': e.CONSOLE_FEDERATION_URL_AWS_CN,
    },
    ...opsSettingsFrom(e),
    revocationRoleName: e.REVOCATION_ROLE_NAME,
    alertWebhooks: e.ALERT_WEBHOOKS ?? [],
    alertDeliveryAttempts: e.ALERT_DELIVERY_ATTEMPTS,
    awsConfigProfilePattern: e.AWS_CONFIG_PROFILE_PATTERN,
  };
}
