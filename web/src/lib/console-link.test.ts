import { describe, expect, it } from 'vitest';
import { consoleHref, consoleTargetProblem } from './console-link.ts';

describe('console links', () => {
  it('point at the portal route with only what was chosen', () => {
    expect(consoleHref({ role: 'readonly' })).toBe('/api/v1/console?role=readonly');
    expect(consoleHref({ role: 'a&b', service: 's3', region: 'eu-west-1' })).toBe(
      '/api/v1/console?role=a%26b&service=s3&region=eu-west-1',
    );
  });

  it('explain a bad service or region', () => {
    expect(consoleTargetProblem('', '')).toBeNull();
    expect(consoleTargetProblem('s3/x', '')).toMatch(/Service/);
    expect(consoleTargetProblem('s3', 'Europe')).toMatch(/Region/);
  });
});
