import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import {
  CreateAccessKeyCommand,
  CreateVirtualMFADeviceCommand,
  DeleteAccessKeyCommand,
  DeleteVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  GenerateCredentialReportCommand,
  GetCredentialReportCommand,
  GetRoleCommand,
  IAMClient,
  type IAMClientConfig,
  ListAccountAliasesCommand,
  paginateListAccessKeys,
  paginateListGroupsForUser,
  paginateListMFADevices,
  paginateListRoles,
  paginateListVirtualMFADevices,
  paginateSimulatePrincipalPolicy,
} from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  GetSessionTokenCommand,
  STSClient,
  type STSClientConfig,
} from '@aws-sdk/client-sts';
import { AwsCallError, classifyAwsError } from './aws-errors.ts';
import { callerIdentity, required, roleDetails, temporaryCredentials } from './aws-responses.ts';
import { takeReportContent } from './credential-report-content.ts';
import { createIamBulkReads, type IamBulkReads } from './iam-bulk-reads.ts';
import { type IamPolicyGateway, iamPolicyOperations } from './iam-policy-operations.ts';
import { createInlinePolicyCalls, type InlinePolicyCalls } from './inline-policy-calls.ts';
import { createOffboardingCalls, type OffboardingCalls } from './offboarding-calls.ts';
import { createSigningClientCache } from './signing-client-cache.ts';

/** An AWS key pair: a user's long-term key, or temporary credentials (with a session token). */
export interface AwsKey {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface AssumedRoleCredentials extends TemporaryCredentials {
  assumedRoleArn: string;
  assumedRoleId: string;
  sourceIdentity: string | undefined;
}

export interface AssumeRoleInput {
  roleArn: string;
  roleSessionName: string;
  durationSeconds?: number;
  externalId?: string;
  serialNumber?: string;
  tokenCode?: string;
  sourceIdentity?: string;
}

export interface CallerIdentity {
  account: string;
  arn: string;
  userId: string;
}

export interface MfaDevice {
  serialNumber: string;
  enabledAt: Date | undefined;
}

export interface RoleDetails {
  arn: string;
  name: string;
  accountId: string;
  maxSessionDuration: number;
  trustPolicy: unknown; // parsed JSON document
  description: string | undefined;
}

export interface SimulationResult {
  action: string;
  decision: 'allowed' | 'explicitDeny' | 'implicitDeny';
}

/** GenerateCredentialReport's answer: AWS builds the report asynchronously. */
export type CredentialReportState = 'STARTED' | 'INPROGRESS' | 'COMPLETE';

export interface CredentialReport {
  /** The CSV text (decoded from the response's base64). */
  csv: string;
  generatedAt: Date;
}

export interface VirtualMfaDevice {
  serialNumber: string;
  /** The user it is assigned to; absent for devices created but not enabled. */
  userName: string | undefined;
}

export interface NewVirtualMfaDevice {
  serialNumber: string;
  /** The base32 TOTP secret. A secret: never log it. */
  base32Seed: string;
}

export interface AwsClientSettings {
  region: string;
  /** Endpoint overrides; when absent the SDK reads AWS_ENDPOINT_URL_STS / _IAM / AWS_ENDPOINT_URL itself. */
  stsEndpoint?: string;
  iamEndpoint?: string;
  /** The portal's own identity; when absent the SDK's default credential chain supplies it. */
  portalCredentials?: AwsKey;
  /** Per-attempt socket timeouts; the SDK retries throttling and 5xx up to maxAttempts. */
  requestTimeoutMs?: number;
  maxAttempts?: number;
  /** Told the operation name of every HTTP request sent to AWS, retries included (metrics, benchmarks). */
  onRequest?: (operation: string) => void;
}

/**
 * The only door to AWS. Calls signed by a user's own key or MFA session go through `asUser`;
 * calls the portal makes with its own identity go through the `portal*` methods. Every failure
 * surfaces as AwsCallError.
 */
export interface AwsGateway extends InlinePolicyCalls, OffboardingCalls, IamPolicyGateway, IamBulkReads {
  getSessionToken(
    key: AwsKey,
    input: { serialNumber: string; tokenCode: string; durationSeconds?: number },
  ): Promise<TemporaryCredentials>;
  assumeRole(key: AwsKey, input: AssumeRoleInput): Promise<AssumedRoleCredentials>;
  getCallerIdentity(key: AwsKey): Promise<CallerIdentity>;

  portalCallerIdentity(): Promise<CallerIdentity>;
  createAccessKey(userName: string): Promise<{ accessKeyId: string; secretAccessKey: string }>;
  deleteAccessKey(userName: string, accessKeyId: string): Promise<void>;
  listAccessKeyIds(userName: string): Promise<string[]>;
  listMfaDevices(userName: string): Promise<MfaDevice[]>;
  listGroupsForUser(userName: string): Promise<string[]>;
  getRole(roleName: string): Promise<RoleDetails>;
  listRoles(): Promise<RoleDetails[]>;
  /** The portal account's alias (an account has at most one), or null. */
  accountAlias(): Promise<string | null>;
  simulatePrincipalPolicy(
    policySourceArn: string,
    actions: string[],
    context: Record<string, string>,
  ): Promise<SimulationResult[]>;
  generateCredentialReport(): Promise<CredentialReportState>;
  /** The account's credential report, or null while AWS is still generating it (or has none yet). */
  getCredentialReport(): Promise<CredentialReport | null>;
  /** Virtual MFA devices that are assigned to users. */
  listVirtualMfaDevices(): Promise<VirtualMfaDevice[]>;
  createVirtualMfaDevice(deviceName: string): Promise<NewVirtualMfaDevice>;
  enableMfaDevice(userName: string, serialNumber: string, code1: string, code2: string): Promise<void>;
  deleteVirtualMfaDevice(serialNumber: string): Promise<void>;
}

export function createAwsGateway(settings: AwsClientSettings): AwsGateway {
  // One pool of keep-alive connections for every client: a client per user call must not mean a
  // new TCP (and, against AWS, TLS) connection per call. Clients sharing these agents are never
  // destroy()ed, which would close the agents for all of them.
  const agentOptions = { keepAlive: true, maxSockets: 64 };
  const common = {
    region: settings.region,
    maxAttempts: settings.maxAttempts ?? 3,
    // Without throwOnRequestTimeout the SDK only logs a warning when requestTimeout passes and keeps
    // waiting: a hung AWS endpoint would hold a sign-in open for as long as it hangs.
    requestHandler: {
      connectionTimeout: 3_000,
      requestTimeout: settings.requestTimeoutMs ?? 10_000,
      throwOnRequestTimeout: true,
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
    },
  };
  const stsConfig = (credentials?: AwsKey): STSClientConfig => ({
    ...common,
    ...(settings.stsEndpoint ? { endpoint: settings.stsEndpoint } : {}),
    ...(credentials ? { credentials } : {}),
  });
  const iamConfig: IAMClientConfig = {
    ...common,
    ...(settings.iamEndpoint ? { endpoint: settings.iamEndpoint } : {}),
    ...(settings.portalCredentials ? { credentials: settings.portalCredentials } : {}),
  };
  // Runs once per attempt: the retry middleware sits in the earlier finalizeRequest step.
  const observed = <C extends STSClient | IAMClient>(client: C): C => {
    const onRequest = settings.onRequest;
    if (onRequest)
      (client.middlewareStack as STSClient['middlewareStack']).add(
        (next, context) => (args) => {
          onRequest(context.commandName?.replace(/Command$/, '') ?? 'unknown');
          return next(args);
        },
        { step: 'deserialize', name: 'portalRequestObserver' },
      );
    return client;
  };
  const portalSts = observed(new STSClient(stsConfig(settings.portalCredentials)));
  const iam = observed(new IAMClient(iamConfig));

  // A client per user key, kept while it is in use, over the shared connections.
  const userClients = createSigningClientCache((key) => observed(new STSClient(stsConfig(key))));
  const asUser = <T>(key: AwsKey, operation: string, call: (sts: STSClient) => Promise<T>): Promise<T> =>
    guard(operation, () => call(userClients.clientFor(key)));

  return {
    ...createInlinePolicyCalls({ iam, portalSts, iamConfig }),
    ...createOffboardingCalls(iam),
    ...iamPolicyOperations(iam),
    ...createIamBulkReads(iam),

    getSessionToken: (key, input) =>
      asUser(key, 'GetSessionToken', async (sts) => {
        const out = await sts.send(
          new GetSessionTokenCommand({
            SerialNumber: input.serialNumber,
            TokenCode: input.tokenCode,
            DurationSeconds: input.durationSeconds,
          }),
        );
        return temporaryCredentials(out.Credentials, 'GetSessionToken');
      }),

    assumeRole: (key, input) =>
      asUser(key, 'AssumeRole', async (sts) => {
        const out = await sts.send(
          new AssumeRoleCommand({
            RoleArn: input.roleArn,
            RoleSessionName: input.roleSessionName,
            DurationSeconds: input.durationSeconds,
            ExternalId: input.externalId,
            SerialNumber: input.serialNumber,
            TokenCode: input.tokenCode,
            SourceIdentity: input.sourceIdentity,
          }),
        );
        return {
          ...temporaryCredentials(out.Credentials, 'AssumeRole'),
          assumedRoleArn: required(out.AssumedRoleUser?.Arn, 'AssumeRole', 'AssumedRoleUser.Arn'),
          assumedRoleId: required(out.AssumedRoleUser?.AssumedRoleId, 'AssumeRole', 'AssumedRoleUser.AssumedRoleId'),
          sourceIdentity: out.SourceIdentity,
        };
      }),

    getCallerIdentity: (key) =>
      asUser(key, 'GetCallerIdentity', async (sts) => callerIdentity(await sts.send(new GetCallerIdentityCommand({})))),

    portalCallerIdentity: () =>
      guard('GetCallerIdentity', async () => callerIdentity(await portalSts.send(new GetCallerIdentityCommand({})))),

    createAccessKey: (userName) =>
      guard('CreateAccessKey', async () => {
        const out = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
        return {
          accessKeyId: required(out.AccessKey?.AccessKeyId, 'CreateAccessKey', 'AccessKeyId'),
          secretAccessKey: required(out.AccessKey?.SecretAccessKey, 'CreateAccessKey', 'SecretAccessKey'),
        };
      }),

    deleteAccessKey: (userName, accessKeyId) =>
      guard('DeleteAccessKey', async () => {
        await iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId }));
      }),

    listAccessKeyIds: (userName) =>
      guard('ListAccessKeys', () =>
        everyItem(paginateListAccessKeys({ client: iam }, { UserName: userName }), (page) =>
          (page.AccessKeyMetadata ?? []).flatMap((key) => (key.AccessKeyId ? [key.AccessKeyId] : [])),
        ),
      ),

    listMfaDevices: (userName) =>
      guard('ListMFADevices', () =>
        everyItem(paginateListMFADevices({ client: iam }, { UserName: userName }), (page) =>
          (page.MFADevices ?? []).flatMap((d): MfaDevice[] =>
            d.SerialNumber ? [{ serialNumber: d.SerialNumber, enabledAt: d.EnableDate }] : [],
          ),
        ),
      ),

    listGroupsForUser: (userName) =>
      guard('ListGroupsForUser', () =>
        everyItem(paginateListGroupsForUser({ client: iam }, { UserName: userName }), (page) =>
          (page.Groups ?? []).flatMap((g) => (g.GroupName ? [g.GroupName] : [])),
        ),
      ),

    getRole: (roleName) =>
      guard('GetRole', async () => {
        const out = await iam.send(new GetRoleCommand({ RoleName: roleName }));
        return roleDetails(out.Role);
      }),

    listRoles: () =>
      guard('ListRoles', () =>
        everyItem(paginateListRoles({ client: iam }, {}), (page) => (page.Roles ?? []).map(roleDetails)),
      ),

    accountAlias: () =>
      guard('ListAccountAliases', async () => {
        const out = await iam.send(new ListAccountAliasesCommand({}));
        return out.AccountAliases?.[0] ?? null;
      }),

    simulatePrincipalPolicy: (policySourceArn, actions, context) =>
      guard('SimulatePrincipalPolicy', () =>
        everyItem(
          paginateSimulatePrincipalPolicy(
            { client: iam },
            {
              PolicySourceArn: policySourceArn,
              ActionNames: actions,
              ContextEntries: Object.entries(context).map(([name, value]) => ({
                ContextKeyName: name,
                ContextKeyValues: [value],
                ContextKeyType: value === 'true' || value === 'false' ? 'boolean' : 'string',
              })),
            },
          ),
          (page) =>
            (page.EvaluationResults ?? []).map(
              (r): SimulationResult => ({
                action: r.EvalActionName ?? '',
                decision: (r.EvalDecision ?? 'implicitDeny') as SimulationResult['decision'],
              }),
            ),
        ),
      ),

    generateCredentialReport: () =>
      guard('GenerateCredentialReport', async () => {
        const out = await iam.send(new GenerateCredentialReportCommand({}));
        return (out.State ?? 'STARTED') as CredentialReportState;
      }),

    getCredentialReport: async () => {
      try {
        return await guard('GetCredentialReport', async () => {
          const command = new GetCredentialReportCommand({});
          const cutContent = takeReportContent(command);
          const out = await iam.send(command);
          const content = cutContent() ?? required(out.Content, 'GetCredentialReport', 'Content');
          const csv = Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('utf8');
          return { csv, generatedAt: out.GeneratedTime ?? new Date() };
        });
      } catch (error) {
        // Not failures: the report is still being generated, or must be (re)generated first.
        if (error instanceof AwsCallError && REPORT_NOT_READY.has(error.awsCode)) return null;
        throw error;
      }
    },

    listVirtualMfaDevices: () =>
      guard('ListVirtualMFADevices', () =>
        everyItem(
          paginateListVirtualMFADevices({ client: iam, pageSize: 1000 }, { AssignmentStatus: 'Assigned' }),
          (page) =>
            (page.VirtualMFADevices ?? []).flatMap((d): VirtualMfaDevice[] =>
              d.SerialNumber ? [{ serialNumber: d.SerialNumber, userName: d.User?.UserName }] : [],
            ),
        ),
      ),

    createVirtualMfaDevice: (deviceName) =>
      guard('CreateVirtualMFADevice', async () => {
        const out = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: deviceName }));
        const seed = required(out.VirtualMFADevice?.Base32StringSeed, 'CreateVirtualMFADevice', 'Base32StringSeed');
        return {
          serialNumber: required(out.VirtualMFADevice?.SerialNumber, 'CreateVirtualMFADevice', 'SerialNumber'),
          // The SDK has already decoded the blob: its bytes are the base32 text.
          base32Seed: Buffer.from(seed).toString('ascii'),
        };
      }),

    enableMfaDevice: (userName, serialNumber, code1, code2) =>
      guard('EnableMFADevice', async () => {
        await iam.send(
          new EnableMFADeviceCommand({
            UserName: userName,
            SerialNumber: serialNumber,
            AuthenticationCode1: code1,
            AuthenticationCode2: code2,
          }),
        );
      }),

    deleteVirtualMfaDevice: (serialNumber) =>
      guard('DeleteVirtualMFADevice', async () => {
        await iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serialNumber }));
      }),
  };
}

/** GetCredentialReport errors that mean "not ready yet" rather than failure. */
const REPORT_NOT_READY = new Set([
  'ReportInProgress',
  'ReportNotPresent',
  'ReportExpired',
  // The names the SDK gives those codes.
  'CredentialReportNotReadyException',
  'CredentialReportNotPresentException',
  'CredentialReportExpiredException',
]);

/** The items of every page an SDK paginator fetches (it follows `Marker` until the last page). */
async function everyItem<Page, Item>(pages: AsyncIterable<Page>, itemsOf: (page: Page) => Item[]): Promise<Item[]> {
  const items: Item[] = [];
  for await (const page of pages) items.push(...itemsOf(page));
  return items;
}

async function guard<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw classifyAwsError(error, operation);
  }
}
