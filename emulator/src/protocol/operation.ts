import type { Store } from '../state/store.ts';
import type { QueryParams } from './query-params.ts';
import type { ServiceName, XmlObject } from './xml.ts';

/** Who signed a request, as established by SigV4 verification against the store. */
export type Caller =
  | {
      kind: 'user';
      account: string;
      arn: string; // arn:aws:iam::<acct>:user<path><name>
      userName: string;
      userId: string;
      accessKeyId: string;
    }
  | {
      kind: 'user-session'; // GetSessionToken credentials
      account: string;
      arn: string; // the user's ARN: AWS reports the IAM user for GetSessionToken sessions
      userName: string;
      userId: string;
      accessKeyId: string;
      mfaAuthenticatedAt: Date | null;
      /** When the credentials were issued (whole seconds): `aws:TokenIssueTime`. */
      issuedAt: Date;
      expiresAt: Date;
    }
  | {
      kind: 'role-session'; // AssumeRole credentials
      account: string;
      arn: string; // arn:aws:sts::<acct>:assumed-role/<role>/<session>
      roleArn: string;
      roleName: string;
      roleId: string;
      sessionName: string;
      sourceIdentity: string | null;
      accessKeyId: string;
      mfaAuthenticatedAt: Date | null;
      /** When the credentials were issued (whole seconds): `aws:TokenIssueTime`. */
      issuedAt: Date;
      expiresAt: Date;
      /** Assumed with temporary credentials (role chaining): console sessions are capped at 1 h. */
      chained?: boolean;
    };

export interface OperationContext {
  service: ServiceName;
  action: string;
  params: QueryParams;
  caller: Caller;
  store: Store;
  requestId: string;
  now: Date;
  /**
   * Evaluates the caller's identity policies for `<service>:<action>` on `resource` (an ARN or
   * '*'), with the caller's condition keys plus `extraKeys`; throws AwsError AccessDenied
   * ("User: <arn> is not authorized to perform: <svc>:<Action> on resource: <resource>") unless allowed.
   * Operations call it once they know their resource.
   */
  authorize(resource: string, extraKeys?: Record<string, string | string[]>): void;
}

/** Returns the `<ActionResult>` content, or null for operations without an output shape. */
export type Operation = (ctx: OperationContext) => XmlObject | null | Promise<XmlObject | null>;

export type OperationTable = Record<string, Operation>;
