import { AwsError, noSuchEntity } from '../protocol/aws-error.ts';
import type { Operation, OperationContext } from '../protocol/operation.ts';
import { randomAccessKeyId, randomSecretAccessKey } from '../state/identity-ids.ts';
import type { AccessKeySpec, UserSpec } from '../state/state-file.ts';
import { userArn } from '../state/store.ts';
import { pageFields, paginate } from './pagination.ts';
import { createdAt, toDate } from './shapes.ts';
import { ANY_RESOURCE, authorizedUser, storeChanged } from './target.ts';
import { enumValue, requiredChecked } from './validation.ts';

export const ACCESS_KEYS_PER_USER = 2;

/** A fresh long-term key id (`AKIA` + 16 characters), unique in the store. */
export function newAccessKeyId(ctx: Pick<OperationContext, 'store'>): string {
  for (;;) {
    const id = randomAccessKeyId('AKIA');
    if (!ctx.store.findAccessKey(id)) return id;
  }
}

const keyMetadata = (user: UserSpec, key: AccessKeySpec) => ({
  UserName: user.name,
  AccessKeyId: key.id,
  Status: key.status,
  CreateDate: createdAt(key),
});

const noSuchKey = (id: string): AwsError => noSuchEntity(`The Access Key with id ${id} cannot be found.`);

function keyOf(user: UserSpec, id: string): AccessKeySpec {
  const key = user.accessKeys?.find((k) => k.id === id);
  if (!key) throw noSuchKey(id);
  return key;
}

export const createAccessKey: Operation = (ctx) => {
  const user = authorizedUser(ctx, { defaultToCaller: true });
  user.accessKeys ??= [];
  const keys = user.accessKeys;
  if (keys.length >= ACCESS_KEYS_PER_USER) {
    throw new AwsError('LimitExceeded', `Cannot exceed quota for AccessKeysPerUser: ${ACCESS_KEYS_PER_USER}`, 409);
  }
  const key: AccessKeySpec = {
    id: newAccessKeyId(ctx),
    secret: randomSecretAccessKey(),
    status: 'Active',
    created: ctx.now.toISOString(),
    lastUsed: null,
  };
  keys.push(key);
  storeChanged(ctx);
  return { AccessKey: { ...keyMetadata(user, key), SecretAccessKey: key.secret } };
};

export const listAccessKeys: Operation = (ctx) => {
  const user = authorizedUser(ctx, { defaultToCaller: true });
  const page = paginate(user.accessKeys ?? [], ctx.params);
  return { AccessKeyMetadata: page.items.map((key) => keyMetadata(user, key)), ...pageFields(page) };
};

export const updateAccessKey: Operation = (ctx) => {
  const id = requiredChecked(ctx.params, 'AccessKeyId', 'accessKeyId');
  ctx.params.required('Status');
  const status = enumValue(ctx.params, 'Status', ['Active', 'Inactive', 'Expired'] as const);
  const user = authorizedUser(ctx, { defaultToCaller: true });
  const key = keyOf(user, id);
  // 'Expired' is in the API's enum but AWS refuses to set it; treat it as the stricter Inactive.
  key.status = status === 'Active' ? 'Active' : 'Inactive';
  storeChanged(ctx);
  return null;
};

export const deleteAccessKey: Operation = (ctx) => {
  const id = requiredChecked(ctx.params, 'AccessKeyId', 'accessKeyId');
  const user = authorizedUser(ctx, { defaultToCaller: true });
  keyOf(user, id);
  user.accessKeys = (user.accessKeys ?? []).filter((k) => k.id !== id);
  storeChanged(ctx);
  return null;
};

export const getAccessKeyLastUsed: Operation = (ctx) => {
  const id = requiredChecked(ctx.params, 'AccessKeyId', 'accessKeyId');
  const found = ctx.store.findAccessKey(id);
  const owned = found && found.user.account === ctx.caller.account ? found : undefined;
  ctx.authorize(owned ? userArn(owned.user) : ANY_RESOURCE);
  if (!owned) throw noSuchKey(id);
  const { user, key } = owned;
  const used = toDate(key.lastUsed);
  return {
    UserName: user.name,
    AccessKeyLastUsed: {
      LastUsedDate: used,
      ServiceName: used ? (key.lastUsedService ?? 'N/A') : 'N/A',
      Region: used ? (key.lastUsedRegion ?? 'N/A') : 'N/A',
    },
  };
};
