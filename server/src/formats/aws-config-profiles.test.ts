import { describe, expect, it } from 'vitest';
import {
  BLOCK_BEGIN,
  BLOCK_END,
  containerEndpointSource,
  type ProfileRole,
  profilePatternProblem,
  profilesFor,
  renderAwsConfig,
} from './aws-config-profiles.ts';

const role = (over: Partial<ProfileRole> = {}): ProfileRole => ({
  alias: 'readonly',
  roleArn: 'arn:aws:iam::111111111111:role/ReadOnly',
  roleName: 'ReadOnly',
  accountId: '111111111111',
  accountAlias: 'demo',
  durationSeconds: 3600,
  ...over,
});

describe('profile names', () => {
  it('default to <account alias or id>-<role alias>', () => {
    const profiles = profilesFor(
      [role(), role({ alias: 'audit', accountAlias: null })],
      '{account}-{role}',
      'eu-west-1',
    );
    expect(profiles.map((p) => p.profile)).toEqual(['111111111111-audit', 'demo-readonly']);
    expect(profiles[0]).toMatchObject({ region: 'eu-west-1', durationSeconds: 3600, roleAlias: 'audit' });
  });

  it('follow the configured pattern, made safe for an INI section name', () => {
    const [profile] = profilesFor(
      [role({ roleName: 'Read Only[x]' })],
      'aws_{accountId}.{roleName}.{role}',
      'us-east-1',
    );
    expect(profile?.profile).toBe('aws_111111111111.Read-Only-x-.readonly');
  });

  it('stay unique, and never take `default`', () => {
    const profiles = profilesFor(
      [
        role({ alias: 'b-c', accountAlias: 'a' }),
        role({ alias: 'c', accountAlias: 'a-b' }),
        role({ alias: 'default' }),
      ],
      '{account}-{role}',
      'us-east-1',
    );
    expect(new Set(profiles.map((p) => p.profile)).size).toBe(3);
    expect(profiles.map((p) => p.profile)).toContain('a-b-c-2');
  });

  it('patterns without {role}, with unknown placeholders or odd characters are refused', () => {
    expect(profilePatternProblem('{account}-{role}')).toBeNull();
    expect(profilePatternProblem('{account}')).toMatch(/must contain \{role\}/);
    expect(profilePatternProblem('{acount}-{role}')).toMatch(/unknown placeholder \{acount\}/);
    expect(profilePatternProblem('{role} x')).toMatch(/only letters/);
    expect(profilePatternProblem('{role}]\n[evil')).toMatch(/only letters/);
  });
});

describe('the config block', () => {
  const profiles = profilesFor([role()], '{account}-{role}', 'us-east-1');

  it('has credential_process, region and duration_seconds per profile, between the markers', () => {
    const text = renderAwsConfig(profiles, { portalUrl: 'https://portal.example.com/', userName: 'alice' });
    expect(text.startsWith(`${BLOCK_BEGIN}\n`)).toBe(true);
    expect(text.endsWith(`${BLOCK_END}\n`)).toBe(true);
    expect(text).toContain(
      [
        '[profile demo-readonly]',
        'credential_process = aws-mfa-portal-credentials --portal https://portal.example.com --role readonly --duration 3600',
        'region = us-east-1',
        'duration_seconds = 3600',
      ].join('\n'),
    );
  });

  it('renders the container endpoint instead when asked', () => {
    const text = renderAwsConfig(profiles, {
      portalUrl: 'https://portal.example.com',
      userName: 'alice',
      source: containerEndpointSource,
    });
    expect(text).toContain(
      '#   export AWS_CONTAINER_CREDENTIALS_FULL_URI=https://portal.example.com/api/v1/container-credentials/readonly',
    );
    expect(text).not.toContain('credential_process =');
  });

  it('refuses a portal URL that could break out of a line', () => {
    expect(() =>
      renderAwsConfig(profiles, { portalUrl: 'https://portal.example.com/\n[profile x]', userName: 'alice' }),
    ).toThrow(/portal URL/);
    expect(() => renderAwsConfig(profiles, { portalUrl: 'http://portal.example.com', userName: 'alice' })).toThrow(
      /https/,
    );
  });
});
