import { describe, expect, it } from 'vitest';
import { NO_FAULTS, pickFault, updateFaultSettings } from './fault-injection.ts';

describe('updateFaultSettings', () => {
  it('keeps unspecified settings and accepts booleans for dropConnections', () => {
    const once = updateFaultSettings(NO_FAULTS, { latencyMs: 100, throttleRate: 0.25 });
    expect(updateFaultSettings(once, { dropConnections: true })).toEqual({
      ...NO_FAULTS,
      latencyMs: 100,
      throttleRate: 0.25,
      dropConnections: 1,
    });
  });

  it('names every invalid setting', () => {
    expect(() => updateFaultSettings(NO_FAULTS, { latencyMs: -1, errorRate: '1', errorStatus: 502 })).toThrow(
      'latencyMs must be an integer from 0 to 60000; errorRate must be a number from 0 to 1; errorStatus must be 500, 503 or "random"',
    );
    expect(() => updateFaultSettings(NO_FAULTS, [])).toThrow('body must be a JSON object');
  });
});

describe('pickFault', () => {
  const always = () => 0;
  const never = () => 0.999;

  it('does nothing by default', () => {
    expect(pickFault(NO_FAULTS, always)).toEqual({ kind: 'none' });
  });

  it('drops before throttling before failing', () => {
    expect(pickFault({ ...NO_FAULTS, dropConnections: 1, throttleRate: 1 }, always).kind).toBe('drop');
    expect(pickFault({ ...NO_FAULTS, throttleRate: 1, errorRate: 1 }, always)).toMatchObject({
      status: 400,
      code: 'Throttling',
      message: 'Rate exceeded',
    });
    expect(pickFault({ ...NO_FAULTS, errorRate: 1, errorStatus: 503 }, always)).toMatchObject({
      status: 503,
      code: 'ServiceUnavailable',
      type: 'Receiver',
    });
    expect(pickFault({ ...NO_FAULTS, malformedRate: 1, throttleRate: 1 }, always)).toEqual({ kind: 'malformed' });
    expect(() => updateFaultSettings(NO_FAULTS, { malformedRate: 2 })).toThrow(
      'malformedRate must be a number from 0 to 1',
    );
    expect(
      pickFault({ ...NO_FAULTS, errorRate: 0.5, throttleRate: 0.5, dropConnections: 0.5, malformedRate: 0.5 }, never),
    ).toEqual({
      kind: 'none',
    });
  });
});
