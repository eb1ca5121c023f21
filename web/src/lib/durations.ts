import { t } from './i18n/i18n.ts';
import { formatDuration } from './time-format.ts';

const COMMON_DURATIONS = [900, 1800, 3600, 7200, 14400, 28800, 43200];

export interface DurationOption {
  seconds: number;
  label: string;
}

/** The durations to offer for a role: common steps up to its limit, plus its default and its maximum. */
export function durationOptions(maxSeconds: number, defaultSeconds: number): DurationOption[] {
  const candidates = new Set(COMMON_DURATIONS.filter((seconds) => seconds <= maxSeconds));
  candidates.add(maxSeconds);
  if (defaultSeconds <= maxSeconds) candidates.add(defaultSeconds);
  return [...candidates]
    .filter((seconds) => seconds >= 900)
    .sort((a, b) => a - b)
    .map((seconds) => ({
      seconds,
      label:
        seconds === maxSeconds ? t('duration.maximum', { duration: formatDuration(seconds) }) : formatDuration(seconds),
    }));
}
