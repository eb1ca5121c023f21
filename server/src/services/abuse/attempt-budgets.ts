/**
 * The three budgets an MFA code attempt spends, and the counter keys that hold them. Pure: no
 * database, so the rules can be read (and unit-tested) on their own.
 *
 * - `user_address`: one user name from one address, the budget a guesser at one address gets;
 * - `user`: one user name from every address together, a higher ceiling, so that one address
 *   cannot lock a person out everywhere, yet many addresses cannot guess without end;
 * - `address`: one address across every user name it tries (offices share one, hence high).
 */
export const BUDGET_NAMES = ['user_address', 'user', 'address'] as const;
export type BudgetName = (typeof BUDGET_NAMES)[number];

export interface AttemptBudgets {
  /** Attempts per user name from one address within one window. */
  perUserAddress: number;
  /** Attempts per user name from all addresses together within one window. */
  perUser: number;
  /** Attempts per source address, whatever the user names, within one window. */
  perAddress: number;
  windowSeconds: number;
}

/** Who is trying: the user name typed (known or not) and the client address, when there is one. */
export interface AttemptScope {
  userName: string;
  sourceIp?: string | undefined;
}

export interface BudgetKey {
  key: string;
  budget: BudgetName;
  limit: number;
}

/** What a counter key stands for, for the admin's list of lockouts. */
export interface BudgetKeyParts {
  budget: BudgetName;
  userName: string | null;
  sourceIp: string | null;
}

/** Requests without a known address share one address budget rather than escaping it. */
const UNKNOWN_ADDRESS = 'unknown';

/** How each budget's counter keys begin. IAM user names are [\w+=,.@-], so '|' can separate name and address. */
export const BUDGET_KEY_PREFIX: Record<BudgetName, string> = {
  user_address: 'user-ip:',
  user: 'user:',
  address: 'ip:',
};
const { user_address: USER_ADDRESS, user: USER, address: ADDRESS } = BUDGET_KEY_PREFIX;

/**
 * The keys an attempt spends, most specific first: a guesser at one address exhausts its own
 * pair budget before touching the user's ceiling or the address's.
 */
export function budgetKeysFor(scope: AttemptScope, budgets: AttemptBudgets): BudgetKey[] {
  const userName = scope.userName.toLowerCase();
  const address = scope.sourceIp || UNKNOWN_ADDRESS;
  return [
    { key: `${USER_ADDRESS}${userName}|${address}`, budget: 'user_address', limit: budgets.perUserAddress },
    { key: `${USER}${userName}`, budget: 'user', limit: budgets.perUser },
    { key: `${ADDRESS}${address}`, budget: 'address', limit: budgets.perAddress },
  ];
}

export function parseBudgetKey(key: string): BudgetKeyParts | null {
  if (key.startsWith(USER_ADDRESS)) {
    const rest = key.slice(USER_ADDRESS.length);
    const bar = rest.indexOf('|');
    if (bar <= 0) return null;
    return { budget: 'user_address', userName: rest.slice(0, bar), sourceIp: rest.slice(bar + 1) };
  }
  if (key.startsWith(USER)) return { budget: 'user', userName: key.slice(USER.length), sourceIp: null };
  if (key.startsWith(ADDRESS)) return { budget: 'address', userName: null, sourceIp: key.slice(ADDRESS.length) };
  return null;
}

export function limitOf(budget: BudgetName, budgets: AttemptBudgets): number {
  if (budget === 'user_address') return budgets.perUserAddress;
  return budget === 'user' ? budgets.perUser : budgets.perAddress;
}

/** Whole seconds until a window that opened at `windowStart` ends; at least 1. */
export function secondsUntilWindowEnds(windowStart: Date, windowSeconds: number, now: Date): number {
  const endsAt = windowStart.getTime() + windowSeconds * 1000;
  // A parallel request may have opened the window after `now` was read: never more than a window.
  return Math.min(windowSeconds, Math.max(1, Math.ceil((endsAt - now.getTime()) / 1000)));
}
