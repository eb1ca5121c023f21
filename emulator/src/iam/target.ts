import { AwsError, noSuchEntity } from '../protocol/aws-error.ts';
import type { OperationContext } from '../protocol/operation.ts';
import type { UserSpec } from '../state/state-file.ts';
import { userArn } from '../state/store.ts';
import { optionalChecked } from './validation.ts';

/**
 * The user an operation acts on: `UserName` if given, else (where AWS allows it) the IAM user who
 * signed the request. Authorizes `iam:<Action>` on that user's ARN before revealing whether the
 * user exists, as AWS does, then fails with NoSuchEntity if not.
 */
export function authorizedUser(ctx: OperationContext, options: { defaultToCaller: boolean }): UserSpec {
  const name = optionalChecked(ctx.params, 'UserName', 'userName') ?? callerUserName(ctx, options.defaultToCaller);
  const user = ctx.store.findUser(ctx.caller.account, name);
  ctx.authorize(user ? userArn(user) : `arn:aws:iam::${ctx.caller.account}:user/${name}`);
  if (!user) throw noSuchUser(name);
  return user;
}

function callerUserName(ctx: OperationContext, defaultToCaller: boolean): string {
  if (!defaultToCaller) ctx.params.required('UserName');
  if (ctx.caller.kind === 'role-session') {
    throw new AwsError('ValidationError', 'Must specify userName when calling with non-User credentials');
  }
  return ctx.caller.userName;
}

export const noSuchUser = (name: string): AwsError => noSuchEntity(`The user with name ${name} cannot be found.`);

/** Mutating operations call this once the store changed, so a persisting emulator can save it. */
export function storeChanged(ctx: OperationContext): void {
  const store = ctx.store as typeof ctx.store & { onChange?: () => void };
  store.onChange?.();
}

/** Resource for IAM actions that have no resource type in the Service Authorization Reference. */
export const ANY_RESOURCE = '*';
