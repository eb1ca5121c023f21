import { notAuthorized } from '../src/protocol/aws-error.ts';
import type { Caller, Operation, OperationContext } from '../src/protocol/operation.ts';
import { QueryParams } from '../src/protocol/query-params.ts';
import type { XmlObject } from '../src/protocol/xml.ts';
import type { StateFile } from '../src/state/state-file.ts';
import { validateStateFile } from '../src/state/state-validator.ts';
import { Store, userArn } from '../src/state/store.ts';
import fixture from './fixtures/iam-state.json' with { type: 'json' };

/** A fresh Store from the IAM fixture (validated like a real state file); tests may mutate it. */
export function fixtureStore(): Store {
  return new Store(validateStateFile(structuredClone(fixture) as unknown as StateFile));
}

/** The caller signing with a user's first long-term access key. */
export function userCaller(store: Store, name: string, account = '111111111111'): Caller {
  const user = store.findUser(account, name);
  if (!user) throw new Error(`fixture has no user ${name}`);
  return {
    kind: 'user',
    account,
    arn: userArn(user),
    userName: user.name,
    userId: user.id ?? '',
    accessKeyId: user.accessKeys?.[0]?.id ?? 'AKIAFIXTURE000000000',
  };
}

export interface Harness {
  store: Store;
  caller: Caller;
  now: Date;
  /** Every resource operations passed to `authorize`, with the action, in order. */
  authorized: Array<{ action: string; resource: string }>;
  /** When set, `authorize` refuses these actions like the policy engine would. */
  deny?: (action: string, resource: string) => boolean;
}

export function harness(options: { store?: Store; caller?: string; now?: Date } = {}): Harness {
  const store = options.store ?? fixtureStore();
  return {
    store,
    caller: userCaller(store, options.caller ?? 'alice'),
    now: options.now ?? new Date('2026-11-22T12:00:00Z'),
    authorized: [],
  };
}

/** Runs one operation the way the server would, with `params` as the Query-protocol fields. */
export async function call(
  h: Harness,
  action: string,
  operation: Operation,
  params: Record<string, string> = {},
): Promise<XmlObject | null> {
  const ctx: OperationContext = {
    service: 'iam',
    action,
    params: new QueryParams(new Map(Object.entries(params))),
    caller: h.caller,
    store: h.store,
    requestId: 'test-request',
    now: h.now,
    authorize(resource) {
      const fullAction = `iam:${action}`;
      h.authorized.push({ action: fullAction, resource });
      if (h.deny?.(fullAction, resource)) throw notAuthorized(h.caller.arn, fullAction, resource);
    },
  };
  return operation(ctx);
}

/** The members of a `<member>` list in a result, typed loosely for assertions. */
export const members = (value: unknown): Array<Record<string, unknown>> => value as Array<Record<string, unknown>>;
