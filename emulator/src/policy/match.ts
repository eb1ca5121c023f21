import type { VariableResolver } from './context-keys.ts';

/**
 * Wildcard and policy-variable matching for Action, Resource and string/ARN condition values.
 *
 * A pattern is first split into pieces: literal text and the wildcards `*` (any run of characters)
 * and `?` (one character). Policy variables are substituted into literal text, so a substituted
 * value never acts as a wildcard, and the escapes `${*}`, `${?}`, `${$}` yield a literal `*`, `?`,
 * `$` (IAM User Guide, "IAM policy elements: Variables and tags", "Special characters").
 * `${key, 'default'}` uses the default when the key is absent ("Specifying default values").
 */

type Piece = { text: string } | '*' | '?';

export interface PatternOptions {
  /** Whether `*` and `?` are wildcards (false for StringEquals and friends). */
  wildcards: boolean;
  /** Substitutes `${...}` variables; absent for policies without Version 2012-10-17. */
  resolve?: VariableResolver | undefined;
}

// `${name}` or `${name, 'default'}`; the name may contain ':' and '/', e.g. aws:PrincipalTag/team.
const VARIABLE_SYNTAX = /^\s*([^,'\s][^,']*?)\s*(?:,\s*'([^']*)'\s*)?$/;

/** Pieces of a pattern, or undefined when a variable has no value and no default. */
function parsePattern(pattern: string, options: PatternOptions): Piece[] | undefined {
  const pieces: Piece[] = [];
  let literal = '';
  const flush = (): void => {
    if (literal !== '') pieces.push({ text: literal });
    literal = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern.charAt(i);
    if (options.resolve && ch === '$' && pattern.charAt(i + 1) === '{') {
      const end = pattern.indexOf('}', i + 2);
      if (end !== -1) {
        const value = substitute(pattern.slice(i + 2, end), options.resolve);
        if (value === undefined) return undefined;
        literal += value;
        i = end;
        continue;
      }
    }
    if (options.wildcards && (ch === '*' || ch === '?')) {
      flush();
      pieces.push(ch);
    } else {
      literal += ch;
    }
  }
  flush();
  return pieces;
}

function substitute(inner: string, resolve: VariableResolver): string | undefined {
  if (inner === '*' || inner === '?' || inner === '$') return inner;
  const syntax = VARIABLE_SYNTAX.exec(inner);
  // Malformed syntax goes to the resolver as a name, which refuses it as unsupported.
  if (!syntax) return resolve(inner);
  const [, name = '', fallback] = syntax;
  return resolve(name) ?? fallback;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * `segments`: resource ARN matching, where a wildcard stays inside its colon-separated segment
 * unless `*` is the last character of a segment, in which case "it can expand to match beyond the
 * colon boundaries" (IAM User Guide, "IAM JSON policy elements: Resource", wildcards).
 */
function toRegExp(pieces: Piece[], ignoreCase: boolean, segments: boolean): RegExp {
  let source = '';
  pieces.forEach((piece, i) => {
    if (piece === '*') {
      const next = pieces[i + 1];
      const endsSegment = next === undefined || (typeof next === 'object' && next.text.startsWith(':'));
      source += segments && !endsSegment ? '[^:]*' : '.*';
    } else if (piece === '?') {
      source += segments ? '[^:]' : '.';
    } else {
      source += escapeRegExp(piece.text);
    }
  });
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's');
}

/** Action / NotAction: case-insensitive, wildcards, no variables ("iam:List*", "*"). */
export function actionMatches(patterns: readonly string[], action: string): boolean {
  return patterns.some((pattern) => {
    const pieces = parsePattern(pattern, { wildcards: true });
    return pieces !== undefined && toRegExp(pieces, true, false).test(action);
  });
}

/**
 * Resource / NotResource entry: case-sensitive, wildcards, variables.
 * Returns undefined when the entry names a variable the request has no value for.
 */
export function resourceMatches(
  pattern: string,
  resource: string,
  resolve: VariableResolver | undefined,
): boolean | undefined {
  const pieces = parsePattern(pattern, { wildcards: true, resolve });
  return pieces === undefined ? undefined : toRegExp(pieces, false, true).test(resource);
}

/** True when the pattern names a variable that has no value and no default. */
export function hasUnresolvedVariable(pattern: string, resolve: VariableResolver | undefined): boolean {
  return resolve !== undefined && parsePattern(pattern, { wildcards: false, resolve }) === undefined;
}

/** String condition values (StringEquals, StringLike, ...). Undefined: unresolvable variable. */
export function stringMatches(
  pattern: string,
  value: string,
  options: PatternOptions & { ignoreCase: boolean },
): boolean | undefined {
  const pieces = parsePattern(pattern, options);
  return pieces === undefined ? undefined : toRegExp(pieces, options.ignoreCase, false).test(value);
}

/**
 * ArnEquals / ArnLike: "Each of the six colon-delimited components of the ARN is checked
 * separately and each can include ... wildcards" (IAM User Guide, condition operators, ARN).
 * The sixth component is everything after the fifth colon. A pattern or value with fewer than six
 * components does not match. Undefined: unresolvable variable.
 */
export function arnMatches(pattern: string, value: string, resolve: VariableResolver | undefined): boolean | undefined {
  const pieces = parsePattern(pattern, { wildcards: true, resolve });
  if (pieces === undefined) return undefined;
  const patternSegments = splitPieces(pieces);
  const valueSegments = splitArn(value);
  if (patternSegments.length !== 6 || valueSegments.length !== 6) return false;
  return patternSegments.every((segment, i) => toRegExp(segment, false, false).test(valueSegments[i] ?? ''));
}

function splitArn(arn: string): string[] {
  const parts = arn.split(':');
  return parts.length < 6 ? parts : [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/** Splits pieces on the first five colons of their literal text (after substitution). */
function splitPieces(pieces: Piece[]): Piece[][] {
  const segments: Piece[][] = [[]];
  for (const piece of pieces) {
    if (typeof piece !== 'object') {
      segments[segments.length - 1]?.push(piece);
      continue;
    }
    let rest = piece.text;
    let colon = rest.indexOf(':');
    while (colon !== -1 && segments.length < 6) {
      if (colon > 0) segments[segments.length - 1]?.push({ text: rest.slice(0, colon) });
      segments.push([]);
      rest = rest.slice(colon + 1);
      colon = rest.indexOf(':');
    }
    if (rest !== '') segments[segments.length - 1]?.push({ text: rest });
  }
  return segments;
}
