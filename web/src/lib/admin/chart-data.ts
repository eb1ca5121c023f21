import type { ComplianceSummary, HistoryPoint } from '../api/admin-compliance-service.ts';
import { t } from '../i18n/i18n.ts';

/** Pure helpers behind the dashboard's charts (no DOM, unit-tested). */

/** Whole percent of `part` in `total`; 0 for an empty account. */
export const percent = (part: number, total: number): number => (total <= 0 ? 0 : Math.round((part / total) * 100));

export interface TrendSeries {
  key: string;
  label: string;
  values: number[];
}

/** Percent of users with MFA, and percent whose keys work without MFA, one value per scan. */
export function trendSeries(points: HistoryPoint[]): TrendSeries[] {
  return [
    {
      key: 'mfa',
      label: t('chart.usersWithMfa'),
      values: points.map((p) => percent(p.summary.withMfa, p.summary.users)),
    },
    {
      key: 'keys',
      label: t('chart.keysWorkWithoutMfa'),
      values: points.map((p) => percent(p.summary.keysWorkWithoutMfa, p.summary.users)),
    },
  ];
}

/**
 * An SVG polyline's points for percent values in a `width` x `height` box (y grows downwards).
 * One value draws a flat line across, so a single scan still shows where it stands.
 */
export function polylinePoints(values: number[], width: number, height: number): string {
  if (values.length === 0) return '';
  const series = values.length === 1 ? [values[0]!, values[0]!] : values;
  const step = width / (series.length - 1);
  return series
    .map(
      (value, index) => `${round(index * step)},${round(height - (Math.min(100, Math.max(0, value)) / 100) * height)}`,
    )
    .join(' ');
}

const round = (n: number) => Math.round(n * 10) / 10;

export interface BreakdownRow {
  key: string;
  label: string;
  count: number;
}

/** The breakdown chart's bars, each a share of all users. */
export function breakdownRows(summary: ComplianceSummary): BreakdownRow[] {
  return [
    { key: 'hardware', label: t('chart.hardwareMfa'), count: summary.hardwareMfa },
    {
      key: 'virtual',
      label: t('chart.virtualMfa'),
      count: Math.max(0, summary.withMfa - summary.hardwareMfa - summary.consoleOnlyMfa),
    },
    { key: 'console-only', label: t('chart.consoleOnlyMfa'), count: summary.consoleOnlyMfa },
    { key: 'none', label: t('chart.noMfa'), count: summary.withoutMfa },
    { key: 'console', label: t('chart.consoleWithoutMfa'), count: summary.consoleWithoutMfa },
    { key: 'keys', label: t('chart.keysWorkWithoutMfa'), count: summary.keysWorkWithoutMfa },
    { key: 'enrolled', label: t('chart.enrolled'), count: summary.enrolled },
  ];
}
