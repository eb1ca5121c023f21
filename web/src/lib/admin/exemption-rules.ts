import type { ExemptionList, ListedExemption } from '../api/admin-cis-service.ts';

/**
 * The console's rules for exemptions from "keys work without MFA": the dates the expiry field
 * offers (the server refuses one in the past or more than `maxDays` away), how exempt users are
 * counted apart from the dashboard's figure, and which listed exemptions still apply.
 */

const pad = (n: number) => String(n).padStart(2, '0');
const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A local calendar date as `<input type="date">` writes it: YYYY-MM-DD. */
export const localDateText = (date: Date): string =>
  `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;

/** The start (00:00 local time) of a YYYY-MM-DD date, when the exemption ends; null for no real date. */
export function startOfLocalDate(text: string): Date | null {
  const match = DATE_TEXT.exec(text);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(year, month - 1, day);
  return date.getFullYear() === year && date.getMonth() === month - 1 && date.getDate() === day ? date : null;
}

const addDays = (date: Date, days: number) => new Date(date.getFullYear(), date.getMonth(), date.getDate() + days);

/** How long the form suggests: a quarter, so an exemption is looked at again before long. */
export const SUGGESTED_DAYS = 90;

/**
 * The expiry dates to offer: from tomorrow to the last date whose start is at most `maxDays`
 * from now (a day less when a clock change makes that day's start later than the limit).
 */
export function expiryBounds(now: Date, maxDays: number): { min: string; max: string; suggested: string } {
  let last = addDays(now, maxDays);
  if (last.getTime() - now.getTime() > maxDays * 86_400_000) last = addDays(now, maxDays - 1);
  const suggested = addDays(now, Math.min(SUGGESTED_DAYS, maxDays));
  return { min: localDateText(addDays(now, 1)), max: localDateText(last), suggested: localDateText(suggested) };
}

/**
 * "Keys work without MFA" with exempt users counted apart: `counted` are those still to fix,
 * `exempt` those an active exemption covers. The split needs the exemption list to describe the
 * same scan as the figure; otherwise (a scan finished in between, or the list is not loaded)
 * `exempt` is null and the figure stands whole.
 */
export function keysFigure(
  keysWorkWithoutMfa: number,
  scanId: string | null,
  list: ExemptionList | null,
): { counted: number; exempt: number | null } {
  if (!list || scanId === null || list.scanId !== scanId) return { counted: keysWorkWithoutMfa, exempt: null };
  const exempt = list.exemptions.filter((e) => e.active && e.keysWorkWithoutMfa === 'yes').length;
  return { counted: Math.max(0, keysWorkWithoutMfa - exempt), exempt };
}

/** Active exemptions by lower-case user name (IAM user names are unique regardless of case). */
export function activeByUser(list: ExemptionList | null): Map<string, ListedExemption> {
  return new Map((list?.exemptions ?? []).filter((e) => e.active).map((e) => [e.userName.toLowerCase(), e]));
}

/**
 * An element id for a user's exemption controls: IAM's `_+=,.@` become `_<hex>` (the escape's
 * own `_` too), so no two names share one.
 */
export const exemptionDomId = (userName: string): string =>
  `exempt-${userName.replace(/[^a-zA-Z0-9-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`)}`;

/** Current exemptions, the soonest to end first; expired ones, the latest to have ended first. */
export function splitByExpiry(list: ExemptionList | null): { current: ListedExemption[]; expired: ListedExemption[] } {
  const all = list?.exemptions ?? [];
  const at = (e: ListedExemption) => Date.parse(e.expiresAt);
  return {
    current: all.filter((e) => e.active).sort((a, b) => at(a) - at(b)),
    expired: all.filter((e) => !e.active).sort((a, b) => at(b) - at(a)),
  };
}
