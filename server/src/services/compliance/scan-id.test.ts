import { describe, expect, it } from 'vitest';
import { newScanId } from './scan-id.ts';

describe('newScanId', () => {
  it('makes a version 7 UUID whose first 48 bits are the time, so later ids sort after earlier ones', () => {
    const at = new Date('2026-12-02T15:30:00.123Z');
    const id = newScanId(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16)).toBe(at.getTime());
    expect(newScanId(new Date(at.getTime() + 1)) > id).toBe(true);
    expect(newScanId(at)).not.toBe(id);
  });
});
