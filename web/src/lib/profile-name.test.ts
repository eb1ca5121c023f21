import { describe, expect, it } from 'vitest';
import { profileNameProblem, withProfileName } from './profile-name.ts';

const credentials =
  '# arn:aws:sts::111111111111:assumed-role/ReadOnly/alice, expires 2030-01-01T00:00:00+00:00\n[111111111111_ReadOnly]\naws_access_key_id = ASIAEXAMPLE\n';
const config =
  '# arn:aws:iam::111111111111:role/ReadOnly: fresh credentials\n[profile 111111111111_ReadOnly]\ncredential_process = aws-mfa-portal-credentials --portal https://portal --role readonly\n';

describe('profileNameProblem', () => {
  it('accepts the names the AWS CLI and the server accept', () => {
    for (const name of ['default', '111111111111_ReadOnly', 'a', 'me@corp.example', 'x=y,z+w.v-u', 'a'.repeat(64)]) {
      expect(profileNameProblem(name)).toBeNull();
    }
  });

  it('rejects names that could break an INI file or a command line', () => {
    for (const name of ['', '-flag', 'two words', 'a]\n[b', 'a;b', 'a#b', 'semi;', '%x', 'a'.repeat(65), 'tab\there']) {
      expect(profileNameProblem(name)).not.toBeNull();
    }
  });
});

describe('withProfileName', () => {
  it('renames the credentials section and nothing else', () => {
    expect(withProfileName('credentials', credentials, 'work')).toBe(
      credentials.replace('[111111111111_ReadOnly]', '[work]'),
    );
  });

  it('writes `[profile x]` in the config file, and `[default]` for the default profile', () => {
    expect(withProfileName('config', config, 'work')).toContain('\n[profile work]\n');
    expect(withProfileName('config', config, 'default')).toContain('\n[default]\n');
  });

  it('renames the JSON profile field, keeping the other keys in order', () => {
    const json = `${JSON.stringify({ profile: 'old', accessKeyId: 'ASIA' }, null, 2)}\n`;
    expect(withProfileName('json', json, 'new')).toBe(
      `${JSON.stringify({ profile: 'new', accessKeyId: 'ASIA' }, null, 2)}\n`,
    );
  });

  it('leaves bodies unchanged for an invalid name and for formats without a profile', () => {
    expect(withProfileName('credentials', credentials, 'bad name')).toBe(credentials);
    expect(withProfileName('env', 'export A=1\n', 'work')).toBe('export A=1\n');
  });
});
