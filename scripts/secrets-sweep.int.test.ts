import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sweep } from './secrets-sweep.mjs';

/** The sweep as `npm test` runs it last: a run folder with logs/ and ledger/, plus report folders. */
describe('secrets sweep over a run folder', () => {
  const folders: string[] = [];
  afterEach(() => {
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  function runFolder(files: Record<string, string>): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sweep-test-'));
    folders.push(dir);
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
    return dir;
  }
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const ledgerLine = `${JSON.stringify({ kind: 'aws_secret_access_key', value: secret })}\n`;

  function run(dir: string, extra: string[] = []): { code: number; output: string } {
    const lines: string[] = [];
    const code = sweep(dir, extra, (line) => lines.push(line));
    return { code, output: lines.join('\n') };
  }

  it('fails on a planted secret, naming the file and kind but not the value', () => {
    const dir = runFolder({
      'ledger/secrets-1.jsonl': ledgerLine,
      'logs/portal-harness-1-1.log': `{"msg":"ok"}\n{"msg":"oops","key":"${secret}"}\n`,
    });
    const { code, output } = run(dir);
    expect(code).toBe(1);
    expect(output).toContain('portal-harness-1-1.log contains 1 × aws_secret_access_key');
    expect(output).not.toContain(secret);
  });

  it('reads the extra places too (reports, Playwright output)', () => {
    const dir = runFolder({ 'ledger/secrets-1.jsonl': ledgerLine, 'logs/a.log': '{"msg":"ok"}\n' });
    const reports = runFolder({ 'e2e/error-context.md': `page text ${secret}\n`, 'trace.zip': secret });
    const { code, output } = run(dir, [reports]);
    expect(code).toBe(1);
    expect(output).toContain('error-context.md contains 1 × aws_secret_access_key');
    expect(output).not.toContain('trace.zip');
  });

  it('passes clean logs, and never reads the ledger as a log', () => {
    const dir = runFolder({ 'ledger/secrets-1.jsonl': ledgerLine, 'logs/a.log': '{"msg":"ok"}\n' });
    expect(run(dir)).toMatchObject({ code: 0, output: expect.stringContaining('no secret in 1 files') });
  });

  it('fails when it has no log line or no ledger entry to compare', () => {
    expect(run(runFolder({ 'ledger/secrets-1.jsonl': ledgerLine })).code).toBe(1);
    expect(run(runFolder({ 'logs/a.log': '{"msg":"ok"}\n' })).code).toBe(1);
    expect(run(runFolder({ 'ledger/secrets-1.jsonl': ledgerLine, 'logs/a.log': '' })).output).toContain(
      'nothing to compare',
    );
  });
});
