import { describe, expect, it } from 'vitest';
import { classifyAwsError } from './aws-errors.ts';

describe('classifyAwsError', () => {
  it('treats a 200 whose XML the SDK could not read as AWS unavailable, not as a refusal', () => {
    // What the SDK throws for a cut-off response body (the emulator's malformedRate fault).
    const error = Object.assign(
      new Error(
        'Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.',
      ),
      {
        name: 'Error',
        $metadata: { httpStatusCode: 200 },
      },
    );
    expect(classifyAwsError(error, 'AssumeRole').kind).toBe('unavailable');
  });

  it('still treats an unknown 4xx as a refusal', () => {
    const error = Object.assign(new Error('nope'), { name: 'SomethingNew', $metadata: { httpStatusCode: 403 } });
    expect(classifyAwsError(error, 'AssumeRole').kind).toBe('access_denied');
  });
});
