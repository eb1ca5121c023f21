import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, SETTING_NAMES } from './config.ts';

const load = (env: Record<string, string>) => loadConfig(env, '/srv/portal');

describe('loadConfig', () => {
  it('runs with no configuration on an embedded SQLite database', () => {
    const config = load({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      databaseUrl: 'file:./data/portal.db',
      env: 'production',
      migrateOnStart: true,
    });
    expect(config.webDistDir).toBe(path.resolve('/srv/portal', 'dist/web'));
  });

  it('takes a federation endpoint per partition: https, or http on loopback only', () => {
    expect(load({}).consoleFederationUrls).toEqual({
      aws: 'https://signin.aws.amazon.com/federation',
      'aws-us-gov': 'https://signin.amazonaws-us-gov.com/federation',
      'aws-cn': 'https://signin.amazonaws.cn/federation',
    });
    expect(load({ CONSOLE_FEDERATION_URL_AWS: 'http://127.0.0.1:4566/federation' }).consoleFederationUrls.aws).toBe(
      'http://127.0.0.1:4566/federation',
    );
    for (const url of ['http://signin.example.com/federation', 'http://127.0.0.1.evil.example/federation', 'ftp://x/'])
      expect(() => load({ CONSOLE_FEDERATION_URL_AWS_CN: url }), url).toThrow(/CONSOLE_FEDERATION_URL_AWS_CN/);
  });

  it('accepts a PostgreSQL URL and trims a trailing slash from PUBLIC_URL', () => {
    const config = load({
      DATABASE_URL: 'postgresql://portal:pw@db:5432/portal',
      PUBLIC_URL: 'https://portal.example.com/',
      TRUSTED_PROXIES: '10.0.0.0/8',
    });
    expect(config.databaseUrl).toBe('postgresql://portal:pw@db:5432/portal');
    expect(config.publicUrl).toBe('https://portal.example.com');
  });

  it('names every bad setting at once', () => {
    let error: unknown;
    try {
      load({ PORT: 'abc', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', MIGRATE_ON_START: 'maybe' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.map((p) => p.split(':')[0])).toEqual(['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'MIGRATE_ON_START']);
    expect((error as ConfigError).message).toContain('PORT: must be a number');
  });

  it('never echoes a rejected value, which may be a secret', () => {
    try {
      load({ DATABASE_URL: 'not a url with hunter2' });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
  });

  it('rejects ports out of range and treats empty strings as unset', () => {
    expect(() => load({ PORT: '70000' })).toThrow(/PORT: must be between 1 and 65535/);
    expect(load({ PORT: '' }).port).toBe(3000);
  });

  it('keeps the per-user MFA ceiling at or above the per-address-pair budget', () => {
    expect(load({})).toMatchObject({ failureLimit: 5, userFailureLimit: 20, addressFailureLimit: 50 });
    expect(() => load({ MFA_FAILURE_LIMIT: '10', MFA_FAILURE_LIMIT_PER_USER: '8' })).toThrow(
      /MFA_FAILURE_LIMIT_PER_USER: must be at least MFA_FAILURE_LIMIT/,
    );
  });

  it('checks the ~/.aws/config profile pattern at boot', () => {
    expect(load({}).awsConfigProfilePattern).toBe('{account}-{role}');
    expect(load({ AWS_CONFIG_PROFILE_PATTERN: '{accountId}_{role}' }).awsConfigProfilePattern).toBe(
      '{accountId}_{role}',
    );
    expect(() => load({ AWS_CONFIG_PROFILE_PATTERN: '{account}' })).toThrow(
      /AWS_CONFIG_PROFILE_PATTERN: must contain \{role\}/,
    );
  });
});

describe('.env.example', () => {
  it('documents every setting the portal reads, and nothing else', () => {
    const example = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
    const documented = [...example.matchAll(/^([A-Z][A-Z0-9_]+)=/gm)]
      .map((m) => m[1])
      .filter((name) => name !== 'POSTGRES_PASSWORD');
    expect([...documented].sort()).toEqual([...SETTING_NAMES].sort());
  });

  it('accepts a master key and derives nothing from a bad one', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(load({ PORTAL_MASTER_KEY: key }).masterKey?.key.length).toBe(32);
    expect(() => load({ PORTAL_MASTER_KEY: 'c2hvcnQ=' })).toThrow(
      /PORTAL_MASTER_KEY: must be base64 of 32 random bytes/,
    );
    expect(() => load({ PORTAL_PREVIOUS_MASTER_KEYS: `${key},nope` })).toThrow(/PORTAL_PREVIOUS_MASTER_KEYS/);
  });
});
