import { currentLocale } from './i18n/i18n.ts';

/** Human wording for durations and times, in the UI's language (Intl), read at each call. */

type Unit = 'second' | 'minute' | 'hour';
const unitFormats = new Map<string, Intl.NumberFormat>();
function plural(n: number, unit: Unit): string {
  const key = `${currentLocale()}:${unit}`;
  let format = unitFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(currentLocale(), { style: 'unit', unit, unitDisplay: 'long' });
    unitFormats.set(key, format);
  }
  return format.format(n);
}

/** 900 -> "15 minutes", 3600 -> "1 hour", 5400 -> "1 hour 30 minutes", 45 -> "45 seconds". */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.round(totalSeconds));
  if (seconds < 60) return plural(seconds, 'second');
  const minutesTotal = Math.ceil(seconds / 60);
  const hours = Math.floor(minutesTotal / 60);
  const minutes = minutesTotal % 60;
  if (hours === 0) return plural(minutes, 'minute');
  return minutes === 0 ? plural(hours, 'hour') : `${plural(hours, 'hour')} ${plural(minutes, 'minute')}`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A countdown: "4:05", "59:59", "11:59:59"; "0:00" once past. */
export function formatCountdown(milliseconds: number): string {
  const total = Math.max(0, Math.ceil(milliseconds / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  return hours > 0 ? `${hours}:${pad(minutes)}:${pad(seconds)}` : `${minutes}:${pad(seconds)}`;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(name: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${currentLocale()}:${name}`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(currentLocale(), options);
    dateFormats.set(key, format);
  }
  return format;
}

/** Local wall-clock time, e.g. "14:05:09". */
export const formatClockTime = (date: Date): string =>
  dateFormat('clock', { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(date);

/** Local wall-clock time to the minute, e.g. "14:05". */
export const formatShortTime = (date: Date): string =>
  dateFormat('short', { hour: '2-digit', minute: '2-digit' }).format(date);

/** Local date and time, e.g. "Nov 22, 2026, 2:05 PM" ("2026. 11. 22. 오후 2:05" in Korean). */
export const formatDateTime = (date: Date): string =>
  dateFormat('date', { dateStyle: 'medium', timeStyle: 'short' }).format(date);
