import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { demoUser } from './support/demo-users.ts';
import { myRoles, signInThroughApi } from './support/portal-api.ts';

/** "Download ~/.aws/config" on the roles page gives a file the AWS CLI v2 reads: a profile per role. */
test('the downloaded ~/.aws/config lists a profile per role for the AWS CLI', async ({ page }) => {
  test.setTimeout(90_000);
  await signInThroughApi(page.request, demoUser('alice'));
  const roles = await myRoles(page.request);
  await page.goto('/roles');
  const downloading = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download ~/.aws/config' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('config');
  const dir = mkdtempSync(path.join(tmpdir(), 'e2e-aws-config-'));
  try {
    const file = path.join(dir, 'config');
    await download.saveAs(file);
    expect(readFileSync(file, 'utf8')).toContain('credential_process = aws-mfa-portal-credentials --portal ');
    const { stdout } = await promisify(execFile)('/usr/bin/aws', ['configure', 'list-profiles'], {
      env: {
        PATH: '/usr/bin:/bin',
        HOME: dir,
        AWS_CONFIG_FILE: file,
        AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none'),
      },
    });
    const profiles = stdout.trim().split('\n');
    expect(profiles).toHaveLength(roles.length);
    for (const role of roles) expect(profiles).toContain(`${role.accountAlias ?? role.accountId}-${role.alias}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
