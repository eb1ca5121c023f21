import { describe, expect, it } from 'vitest';
import { findLeaks } from './secrets-sweep.mjs';

const sessionToken = 'IQoJb3JpZ2luX2VjEXAMPLE/TOKEN+value0123456789==';
const ledger = [
  { kind: 'aws_session_token', value: sessionToken },
  { kind: 'cli_token', value: 'cli_0123456789abcdefghijkl' },
  { kind: 'master_key', value: 'k3y/with+slashes=and/more/chars' },
  { kind: 'mfa_code', value: '493817' },
];
const log = (text: string) => [{ name: 'logs/portal.log', text }];

describe('secrets sweep', () => {
  it('finds a planted secret anywhere in a line and names the file and kind, not the value', () => {
    const leaks = findLeaks(ledger, log(`{"level":30,"msg":"x","detail":"Bearer ${sessionToken}tail"}\n`));
    expect(leaks).toEqual([{ file: 'logs/portal.log', kind: 'aws_session_token', count: 1 }]);
    expect(JSON.stringify(leaks)).not.toContain(sessionToken);
  });

  it('finds a secret logged URL-encoded', () => {
    const encoded = encodeURIComponent('k3y/with+slashes=and/more/chars');
    expect(findLeaks(ledger, log(`GET /x?key=${encoded} 200\n`))).toEqual([
      { file: 'logs/portal.log', kind: 'master_key', count: 1 },
    ]);
  });

  it('counts an MFA code only where a code is written, not any six digits', () => {
    expect(findLeaks(ledger, log('{"pid":493817,"responseTime":493817}\n'))).toEqual([]);
    expect(findLeaks(ledger, log('{"body":{"userName":"alice","code":"493817"}}\n'))).toEqual([
      { file: 'logs/portal.log', kind: 'mfa_code', count: 1 },
    ]);
    expect(findLeaks(ledger, log('Action=GetSessionToken&TokenCode=493817&Version=2011\n'))).toHaveLength(1);
  });

  it('passes lines that carry redacted values, ids and other random-looking text', () => {
    const clean = [
      '{"level":30,"req":{"url":"/api/v1/credentials"},"token":"[redacted]","sessionToken":"[redacted]"}',
      '{"issuedAccessKeyId":"ASIAEXAMPLE000000001","requestId":"0193a7c4-5d1e-7b2f-8c3d-4e5f6a7b8c9d"}',
      `{"prefix":"${sessionToken.slice(0, 20)}"}`,
    ].join('\n');
    expect(findLeaks(ledger, log(clean))).toEqual([]);
  });

  it('reports each file and kind once, with how often', () => {
    const leaks = findLeaks(ledger, [
      { name: 'a.log', text: `cli_0123456789abcdefghijkl\ncli_0123456789abcdefghijkl\n` },
      { name: 'b.log', text: `${sessionToken}\n` },
    ]);
    expect(leaks).toEqual([
      { file: 'a.log', kind: 'cli_token', count: 2 },
      { file: 'b.log', kind: 'aws_session_token', count: 1 },
    ]);
  });
});
