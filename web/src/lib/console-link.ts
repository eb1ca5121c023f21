import { t } from './i18n/i18n.ts';

/** What "Open console" asks for: a role, and optionally a console service and a region. */
export interface ConsoleTarget {
  role: string;
  service?: string;
  region?: string;
  durationSeconds?: number;
}

export const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
export const CONSOLE_SERVICE = /^[a-z][a-z0-9-]{1,31}$/;

/** The portal address that redirects to the AWS console (it never shows the sign-in URL itself). */
export function consoleHref(target: ConsoleTarget): string {
  const query = new URLSearchParams({ role: target.role });
  if (target.service) query.set('service', target.service);
  if (target.region) query.set('region', target.region);
  if (target.durationSeconds !== undefined) query.set('durationSeconds', String(target.durationSeconds));
  return `/api/v1/console?${query}`;
}

/** A problem with the typed service or region, in words, or null. */
export function consoleTargetProblem(service: string, region: string): string | null {
  if (service !== '' && !CONSOLE_SERVICE.test(service)) return t('console.badService');
  if (region !== '' && !REGION.test(region)) return t('console.badRegion');
  return null;
}
