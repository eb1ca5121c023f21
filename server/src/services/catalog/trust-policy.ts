/**
 * What a role's trust policy demands of MFA, read from the document GetRole returns. Used to
 * show which roles need a recent code and to warn about roles that do not require MFA at all.
 * Conservative: anything it cannot read counts as "does not require MFA".
 */
export interface MfaRequirement {
  requiresMfa: boolean;
  /** The strictest `NumericLessThan(Equals) aws:MultiFactorAuthAge` bound among the Allow statements. */
  maxAgeSeconds: number | null;
}

type Statement = {
  Effect?: unknown;
  Action?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};

export function trustPolicyMfaRequirement(document: unknown): MfaRequirement {
  const statements = readStatements(document);
  const allows = statements.filter((s) => s.Effect === 'Allow' && admitsAwsPrincipal(s) && grantsAssumeRole(s));
  if (allows.length === 0) return { requiresMfa: false, maxAgeSeconds: null };
  let maxAge: number | null = null;
  let everyAllowDemandsMfa = true;
  for (const statement of allows) {
    const condition = statement.Condition ?? {};
    const present = lookup(condition, 'Bool', 'aws:MultiFactorAuthPresent');
    const presentTrue = present.some((v) => String(v).toLowerCase() === 'true');
    let ageBound: number | null = null;
    for (const operator of ['NumericLessThan', 'NumericLessThanEquals']) {
      for (const value of lookup(condition, operator, 'aws:MultiFactorAuthAge')) {
        const seconds = Number(value);
        if (Number.isFinite(seconds)) ageBound = ageBound === null ? seconds : Math.min(ageBound, seconds);
      }
    }
    if (ageBound !== null) maxAge = maxAge === null ? ageBound : Math.min(maxAge, ageBound);
    if (!presentTrue && ageBound === null) everyAllowDemandsMfa = false;
  }
  return { requiresMfa: everyAllowDemandsMfa, maxAgeSeconds: maxAge };
}

function readStatements(document: unknown): Statement[] {
  if (typeof document !== 'object' || document === null) return [];
  const raw = (document as { Statement?: unknown }).Statement;
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  return list.filter((s): s is Statement => typeof s === 'object' && s !== null);
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

function grantsAssumeRole(statement: Statement): boolean {
  return asList(statement.Action).some((a) => typeof a === 'string' && /^(sts:(AssumeRole|\*)|\*)$/i.test(a));
}

function admitsAwsPrincipal(statement: Statement): boolean {
  const principal = statement.Principal;
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) return false;
  return asList((principal as Record<string, unknown>).AWS).length > 0;
}

/** Condition values for an operator and key, matching key names case-insensitively as IAM does. */
function lookup(condition: Record<string, Record<string, unknown>>, operator: string, key: string): unknown[] {
  const block = condition[operator];
  if (!block) return [];
  const wanted = key.toLowerCase();
  return Object.entries(block).flatMap(([k, v]) => (k.toLowerCase() === wanted ? asList(v) : []));
}
