import { describe, expect, it } from 'vitest';
import { formatCountdown, formatDuration } from './time-format.ts';

describe('time wording', () => {
  it('says durations in words', () => {
    expect(formatDuration(45)).toBe('45 seconds');
    expect(formatDuration(60)).toBe('1 minute');
    expect(formatDuration(899)).toBe('15 minutes');
    expect(formatDuration(3600)).toBe('1 hour');
    expect(formatDuration(5400)).toBe('1 hour 30 minutes');
    expect(formatDuration(43200)).toBe('12 hours');
  });

  it('counts down in clock form, never below zero', () => {
    expect(formatCountdown(3_600_000)).toBe('1:00:00');
    expect(formatCountdown(3_599_001)).toBe('1:00:00');
    expect(formatCountdown(3_599_000)).toBe('59:59');
    expect(formatCountdown(5_000)).toBe('0:05');
    expect(formatCountdown(-10)).toBe('0:00');
  });
});
