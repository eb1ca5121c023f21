import { describe, expect, it } from 'vitest';
import { hostileStrings, mfaSessionCredentials, roleCredentials } from '../../test/credential-fixtures.ts';
import {
  CREDENTIAL_FORMATS,
  type CredentialFormat,
  checkRenderRequest,
  defaultProfileName,
  InvalidRenderInputError,
  isCredentialFormat,
  renderCredentials,
  type TemporaryCredentials,
  validateProfileName,
  validateRoleAlias,
} from './index.ts';

const configOptions = { portalUrl: 'https://portal.example.com', roleAlias: 'readonly' };
const render = (format: CredentialFormat, creds: TemporaryCredentials = roleCredentials) =>
  renderCredentials(format, creds, format === 'config' ? configOptions : {});

function renderError(fn: () => unknown): InvalidRenderInputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvalidRenderInputError) return error;
    throw error;
  }
  throw new Error('expected InvalidRenderInputError, but rendering succeeded');
}

describe('exact output for each format', () => {
  it('credentials: an Identity Center style block with an expiry comment', () => {
    expect(render('credentials').body).toBe(
      '# arn:aws:sts::123456789012:assumed-role/ReadOnly/alice, expires 2030-01-02T03:04:05+00:00\n' +
        '[123456789012_ReadOnly]\n' +
        'aws_access_key_id = ASIAQEXAMPLE7KEYID2Z\n' +
        'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n' +
        'aws_session_token = IQoJb3JpZ2luX2VjEXAMPLE+TOKEN/abc+def==\n',
    );
  });

  it('credentials: an MFA session gets `<account>_<user>-mfa`', () => {
    expect(render('credentials', mfaSessionCredentials).body).toBe(
      '# MFA session of IAM user alice in account 123456789012, expires 2030-01-02T15:00:00+00:00\n' +
        '[123456789012_alice-mfa]\n' +
        'aws_access_key_id = ASIAQEXAMPLEMFASESS1\n' +
        'aws_secret_access_key = bPxRfiCYEXAMPLEKEY/wJalrXUtnFEMI+K7MDENG\n' +
        'aws_session_token = FwoGZXIvYXdzEXAMPLEMFA+SESSION/token==\n',
    );
  });

  it('config: a credential_process profile that carries no secret', () => {
    const { body } = render('config');
    expect(body).toBe(
      '# arn:aws:iam::123456789012:role/ReadOnly: fresh credentials on demand from the portal.\n' +
        '# Sign in once (and again when the portal token expires):\n' +
        '#   aws-mfa-portal-credentials login --portal https://portal.example.com --user alice\n' +
        '[profile 123456789012_ReadOnly]\n' +
        'credential_process = aws-mfa-portal-credentials --portal https://portal.example.com --role readonly\n' +
        'region = eu-west-1\n',
    );
    for (const secret of [roleCredentials.accessKeyId, roleCredentials.secretAccessKey, roleCredentials.sessionToken]) {
      expect(body).not.toContain(secret);
    }
  });

  it('config: `default` is `[default]`, the region line only when known, trailing slash dropped', () => {
    const { region: _region, ...noRegion } = roleCredentials;
    const { body } = renderCredentials('config', noRegion, {
      profile: 'default',
      portalUrl: 'http://localhost:3000/',
      roleAlias: 'admin.prod',
    });
    expect(body.split('\n').slice(3)).toEqual([
      '[default]',
      'credential_process = aws-mfa-portal-credentials --portal http://localhost:3000 --role admin.prod',
      '',
    ]);
  });

  it('config: needs a role alias and a portal URL', () => {
    expect(
      renderError(() => renderCredentials('config', roleCredentials, { portalUrl: 'https://p.example' })).field,
    ).toBe('roleAlias');
    expect(renderError(() => renderCredentials('config', roleCredentials, { roleAlias: 'readonly' })).field).toBe(
      'portalUrl',
    );
  });

  it('env: byte for byte what `aws configure export-credentials --format env` prints', () => {
    expect(render('env').body).toBe(
      'export AWS_ACCESS_KEY_ID=ASIAQEXAMPLE7KEYID2Z\n' +
        'export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n' +
        'export AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjEXAMPLE+TOKEN/abc+def==\n' +
        'export AWS_CREDENTIAL_EXPIRATION=2030-01-02T03:04:05+00:00\n',
    );
  });

  it('env-no-export', () => {
    expect(render('env-no-export').body).toBe(
      'AWS_ACCESS_KEY_ID=ASIAQEXAMPLE7KEYID2Z\n' +
        'AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n' +
        'AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjEXAMPLE+TOKEN/abc+def==\n' +
        'AWS_CREDENTIAL_EXPIRATION=2030-01-02T03:04:05+00:00\n',
    );
  });

  it('fish', () => {
    expect(render('fish').body).toBe(
      'set -gx AWS_ACCESS_KEY_ID "ASIAQEXAMPLE7KEYID2Z"\n' +
        'set -gx AWS_SECRET_ACCESS_KEY "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"\n' +
        'set -gx AWS_SESSION_TOKEN "IQoJb3JpZ2luX2VjEXAMPLE+TOKEN/abc+def=="\n' +
        'set -gx AWS_CREDENTIAL_EXPIRATION "2030-01-02T03:04:05+00:00"\n',
    );
  });

  it('powershell, with Windows line ends', () => {
    expect(render('powershell').body).toBe(
      '$Env:AWS_ACCESS_KEY_ID="ASIAQEXAMPLE7KEYID2Z"\r\n' +
        '$Env:AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"\r\n' +
        '$Env:AWS_SESSION_TOKEN="IQoJb3JpZ2luX2VjEXAMPLE+TOKEN/abc+def=="\r\n' +
        '$Env:AWS_CREDENTIAL_EXPIRATION="2030-01-02T03:04:05+00:00"\r\n',
    );
  });

  it('windows-cmd, with Windows line ends', () => {
    expect(render('windows-cmd').body).toBe(
      'set AWS_ACCESS_KEY_ID=ASIAQEXAMPLE7KEYID2Z\r\n' +
        'set AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\r\n' +
        'set AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjEXAMPLE+TOKEN/abc+def==\r\n' +
        'set AWS_CREDENTIAL_EXPIRATION=2030-01-02T03:04:05+00:00\r\n',
    );
  });

  it('dotenv: the region too when known, since a container has no ~/.aws/config', () => {
    expect(render('dotenv').body).toBe(
      'AWS_ACCESS_KEY_ID=ASIAQEXAMPLE7KEYID2Z\n' +
        'AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n' +
        'AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjEXAMPLE+TOKEN/abc+def==\n' +
        'AWS_CREDENTIAL_EXPIRATION=2030-01-02T03:04:05+00:00\n' +
        'AWS_REGION=eu-west-1\n' +
        'AWS_DEFAULT_REGION=eu-west-1\n',
    );
    expect(render('dotenv', mfaSessionCredentials).body).not.toContain('REGION');
  });

  it('process: the CLI layout (indent 2, key order, whole seconds, +00:00)', () => {
    expect(render('process').body).toBe(
      '{\n' +
        '  "Version": 1,\n' +
        '  "AccessKeyId": "ASIAQEXAMPLE7KEYID2Z",\n' +
        '  "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",\n' +
        '  "SessionToken": "IQoJb3JpZ2luX2VjEXAMPLE+TOKEN/abc+def==",\n' +
        '  "Expiration": "2030-01-02T03:04:05+00:00"\n' +
        '}\n',
    );
  });

  it('json: everything, with null for what does not apply', () => {
    expect(JSON.parse(render('json').body)).toEqual({
      profile: '123456789012_ReadOnly',
      accessKeyId: 'ASIAQEXAMPLE7KEYID2Z',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE+TOKEN/abc+def==',
      expiration: '2030-01-02T03:04:05+00:00',
      accountId: '123456789012',
      userName: 'alice',
      roleArn: 'arn:aws:iam::123456789012:role/ReadOnly',
      roleName: 'ReadOnly',
      assumedRoleArn: 'arn:aws:sts::123456789012:assumed-role/ReadOnly/alice',
      roleSessionName: 'alice',
      sourceIdentity: 'alice',
      region: 'eu-west-1',
    });
    expect(JSON.parse(render('json', mfaSessionCredentials).body)).toMatchObject({
      profile: '123456789012_alice-mfa',
      roleArn: null,
      roleName: null,
      assumedRoleArn: null,
      region: null,
    });
  });

  it('uses the profile option where the format names a profile', () => {
    expect(renderCredentials('credentials', roleCredentials, { profile: 'work.readonly' }).body).toContain(
      '\n[work.readonly]\n',
    );
    expect(JSON.parse(renderCredentials('json', roleCredentials, { profile: 'x@y' }).body).profile).toBe('x@y');
  });
});

describe('content types and file names', () => {
  it.each([
    ['credentials', 'text/plain; charset=utf-8', 'credentials'],
    ['config', 'text/plain; charset=utf-8', 'config'],
    ['env', 'text/plain; charset=utf-8', 'aws-env.sh'],
    ['env-no-export', 'text/plain; charset=utf-8', 'aws-env.sh'],
    ['fish', 'text/plain; charset=utf-8', 'aws-env.fish'],
    ['powershell', 'text/plain; charset=utf-8', 'aws-env.ps1'],
    ['windows-cmd', 'text/plain; charset=utf-8', 'aws-env.cmd'],
    ['dotenv', 'text/plain; charset=utf-8', '.env'],
    ['process', 'application/json', 'credential-process.json'],
    ['json', 'application/json', 'credentials.json'],
  ] as const)('%s', (format, contentType, filename) => {
    const rendered = render(format);
    expect(rendered.contentType).toBe(contentType);
    expect(rendered.filename).toBe(filename);
  });

  it('covers every format in CREDENTIAL_FORMATS and rejects others', () => {
    expect(CREDENTIAL_FORMATS.every(isCredentialFormat)).toBe(true);
    expect(isCredentialFormat('toString')).toBe(false);
    expect(renderError(() => renderCredentials('yaml' as CredentialFormat, roleCredentials)).field).toBe('format');
  });
});

describe('defaultProfileName', () => {
  it('is <accountId>_<RoleName> for roles, from the ARN when roleName is absent', () => {
    expect(defaultProfileName(roleCredentials)).toBe('123456789012_ReadOnly');
    const { roleName: _roleName, ...arnOnly } = roleCredentials;
    expect(defaultProfileName({ ...arnOnly, roleArn: 'arn:aws:iam::123456789012:role/team/ops/Deploy' })).toBe(
      '123456789012_Deploy',
    );
  });

  it('is <accountId>_<userName>-mfa for MFA sessions', () => {
    expect(defaultProfileName(mfaSessionCredentials)).toBe('123456789012_alice-mfa');
  });

  it('stays within 64 characters for the longest IAM names', () => {
    const role = defaultProfileName({ ...roleCredentials, roleName: 'R'.repeat(64) });
    const mfa = defaultProfileName({ ...mfaSessionCredentials, userName: `${'u'.repeat(63)}@` });
    expect(role).toBe(`123456789012_${'R'.repeat(51)}`);
    expect(mfa).toBe(`123456789012_${'u'.repeat(47)}-mfa`);
    expect(validateProfileName(role)).toBeNull();
    expect(validateProfileName(mfa)).toBeNull();
  });
});

describe('profile names', () => {
  it.each(['default', 'a', 'dev', '123456789012_ReadOnly', 'x.y@z+w=v,u-t', '_x', 'P'.repeat(64)])(
    'accepts %j',
    (name) => {
      expect(validateProfileName(name)).toBeNull();
    },
  );

  it.each([...hostileStrings, '', '-rf', '--profile', 'P'.repeat(65), 'a/b', 'a:b'])(
    'rejects %j, saying what is allowed',
    (name) => {
      const message = validateProfileName(name);
      expect(message).toBe(
        'A profile name is 1 to 64 characters: letters, digits and _ . @ + = , - (it must not start with -).',
      );
    },
  );

  it.each(hostileStrings)('refuses to render profile %j in any format', (profile) => {
    for (const format of CREDENTIAL_FORMATS) {
      const options = format === 'config' ? { ...configOptions, profile } : { profile };
      const error = renderError(() => renderCredentials(format, roleCredentials, options));
      expect(error.field).toBe('profile');
      expect(error.source).toBe('options');
      expect(error.message).toContain('letters, digits');
    }
  });
});

describe('other user-influenced values', () => {
  it.each(hostileStrings.concat(['-x', '', 'a'.repeat(65), 'a/b', 'a=b']))('rejects role alias %j', (roleAlias) => {
    expect(validateRoleAlias(roleAlias)).not.toBeNull();
    const error = renderError(() => renderCredentials('config', roleCredentials, { ...configOptions, roleAlias }));
    expect(error).toMatchObject({ field: 'roleAlias', source: 'options' });
  });

  it.each([
    'https://portal.example.com/a b',
    'https://portal.example.com/\n[default]',
    'https://portal.example.com/$(id)',
    'https://portal.example.com/;rm',
    'https://portal.example.com/%PATH%',
    'https://portal.example.com/?x=1',
    'https://portal.example.com/#x',
    'https://user:pass@portal.example.com',
    'https://portal.example.com&calc',
    'https://portal.example.com/`id`',
    'http://portal.example.com',
    'http://localhost.evil.example',
    'http://[::1]:3000',
    'https://[2001:db8::1]',
    'ftp://portal.example.com',
    'file:///etc/passwd',
    'portal.example.com',
    '',
  ])('rejects portal URL %j', (portalUrl) => {
    const error = renderError(() => renderCredentials('config', roleCredentials, { ...configOptions, portalUrl }));
    expect(error).toMatchObject({ field: 'portalUrl', source: 'options' });
  });

  it.each([
    'https://portal.example.com',
    'https://portal.example.com:8443/aws/',
    'http://127.0.0.1:3000',
    'http://localhost:3000/',
  ])('accepts portal URL %j', (portalUrl) => {
    expect(() => renderCredentials('config', roleCredentials, { ...configOptions, portalUrl })).not.toThrow();
  });

  it.each(['eu-west-1', 'us-gov-west-1', 'cn-north-1', 'us-iso-east-1', 'ap-southeast-5'])(
    'accepts region %j',
    (region) => {
      expect(render('config', { ...roleCredentials, region }).body).toContain(`\nregion = ${region}\n`);
    },
  );

  it.each([...hostileStrings, 'EU-WEST-1', 'eu-west', 'eu-west-1\n[x]'])('rejects region %j', (region) => {
    expect(renderError(() => render('dotenv', { ...roleCredentials, region }))).toMatchObject({ field: 'region' });
  });
});

describe('values AWS produces are checked too', () => {
  const cases: Array<[keyof TemporaryCredentials, string]> = [
    ['accessKeyId', 'asiaqexample7keyid2z'],
    ['accessKeyId', 'ASIAQEXAMPLE7KEYID2Z\nexport X=1'],
    ['accessKeyId', 'ASIA'],
    ['secretAccessKey', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLE$(id)'],
    ['secretAccessKey', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCY"EXAMPLEKEY'],
    ['sessionToken', 'IQoJb3JpZ2luX2VjEXAMPLE+TOKEN\n[default]'],
    ['sessionToken', 'IQoJb3JpZ2luX2VjEXAMPLE`id`'],
    ['sessionToken', 'IQoJb3JpZ2luX2VjEXAMPLE%PATH%'],
    ['accountId', '12345678901'],
    ['accountId', '1234567890123'],
    ['userName', 'alice smith'],
    ['userName', 'alice;id'],
    ['roleArn', 'arn:aws:iam::123456789012:role/ReadOnly\n[x]'],
    ['roleArn', 'arn:aws:iam::123456789012:user/alice'],
    ['roleName', 'Read Only'],
    ['assumedRoleArn', 'arn:aws:sts::123456789012:assumed-role/ReadOnly/a$b'],
    ['roleSessionName', 'alice\n'],
    ['sourceIdentity', 'x'],
  ];

  it.each(cases)('rejects %s = %j without echoing the value', (field, value) => {
    for (const format of CREDENTIAL_FORMATS) {
      const error = renderError(() => render(format, { ...roleCredentials, [field]: value }));
      expect(error).toMatchObject({ field, source: 'credentials' });
      expect(error.message).not.toContain(value);
    }
  });

  it('rejects an invalid expiration date', () => {
    expect(renderError(() => render('env', { ...roleCredentials, expiration: new Date('nope') })).field).toBe(
      'expiration',
    );
  });

  it('rounds the expiry down to whole seconds', () => {
    const creds = { ...roleCredentials, expiration: new Date('2030-01-02T03:04:05.999Z') };
    expect(render('env', creds).body).toContain('AWS_CREDENTIAL_EXPIRATION=2030-01-02T03:04:05+00:00\n');
  });
});

describe('checkRenderRequest: what can be refused before any credentials exist', () => {
  const portalUrl = 'https://portal.example.com';

  it('accepts what the renderers accept', () => {
    expect(() => checkRenderRequest('json', {})).not.toThrow();
    expect(() => checkRenderRequest('all', { roleAlias: 'readonly', portalUrl, profile: 'work' })).not.toThrow();
    // Without a role (the user's own MFA session) `all` leaves the config format out.
    expect(() => checkRenderRequest('all', {})).not.toThrow();
  });

  it('refuses requests no credentials could render', () => {
    for (const [format, options] of [
      ['all', { roleAlias: 'readonly', portalUrl: 'http://portal.example.com' }],
      ['config', { roleAlias: 'readonly' }],
      ['config', { portalUrl }],
      ['json', { profile: '-bad' }],
      ['yaml', {}],
    ] as const) {
      expect(() => checkRenderRequest(format, options), `${format} ${JSON.stringify(options)}`).toThrow(
        InvalidRenderInputError,
      );
    }
  });
});
