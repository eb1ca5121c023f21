import { describe, expect, it } from 'vitest';
import { requestParams } from '../http/aws-request-handler.ts';
import { QueryParams } from './query-params.ts';

const errorOf = (fn: () => unknown): string => {
  try {
    fn();
    return 'none';
  } catch (error) {
    return `${(error as { code: string }).code}: ${(error as Error).message}`;
  }
};

describe('QueryParams', () => {
  it('decodes both the SDK (%20) and botocore (+) encodings of spaces', () => {
    expect(QueryParams.fromForm('Policy=a%20b').string('Policy')).toBe('a b');
    expect(QueryParams.fromForm('Policy=a+b').string('Policy')).toBe('a b');
    expect(QueryParams.fromForm('Policy=a%2Bb').string('Policy')).toBe('a+b');
  });

  it('reads member lists and struct lists in index order', () => {
    const params = QueryParams.fromForm(
      'TransitiveTagKeys.member.2=b&TransitiveTagKeys.member.1=a&Tags.member.2.Key=k2&Tags.member.2.Value=v2&Tags.member.1.Key=k1&Tags.member.1.Value=v1',
    );
    expect(params.list('TransitiveTagKeys')).toEqual(['a', 'b']);
    expect(params.structList('Tags').map((t) => [t.string('Key'), t.string('Value')])).toEqual([
      ['k1', 'v1'],
      ['k2', 'v2'],
    ]);
  });

  it('fails like AWS for missing and non-integer members', () => {
    expect(errorOf(() => QueryParams.fromForm('').required('RoleArn'))).toBe(
      "ValidationError: 1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null",
    );
    expect(errorOf(() => QueryParams.fromForm('DurationSeconds=12a').integer('DurationSeconds'))).toMatch(
      /^ValidationError: Invalid value for parameter durationSeconds/,
    );
    expect(QueryParams.fromForm('DurationSeconds=900').integer('DurationSeconds')).toBe(900);
  });
});

describe('requestParams', () => {
  const wire = (method: string, rawQuery: string, body: string) => ({
    method,
    rawPath: '/',
    rawQuery,
    headers: [],
    body: new TextEncoder().encode(body),
  });

  it('merges the query string with a POST form body', () => {
    const params = requestParams(wire('POST', 'Version=2011-06-15', 'Action=GetCallerIdentity'));
    expect(params.string('Action')).toBe('GetCallerIdentity');
    expect(params.string('Version')).toBe('2011-06-15');
  });

  it('ignores a GET body, as the Query protocol puts GET parameters in the URL', () => {
    expect(requestParams(wire('GET', 'Action=GetCallerIdentity', 'Action=AssumeRole')).string('Action')).toBe(
      'GetCallerIdentity',
    );
  });
});
