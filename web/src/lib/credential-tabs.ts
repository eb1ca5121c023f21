import type { CredentialFormat } from './api/credentials-service.ts';
import { msg, t } from './i18n/i18n.ts';

export interface CredentialTab {
  format: CredentialFormat;
  label: string;
  /** A message key when the label is words rather than a tool's name. */
  labelKey?: string;
  /** How to use it, in one sentence: its message key. */
  usageKey: string;
}

/** The result panel's tabs, in the order engineers reach for them. */
export const CREDENTIAL_TABS: readonly CredentialTab[] = [
  {
    format: 'env',
    label: 'bash/zsh',
    usageKey: msg('tabs.env'),
  },
  { format: 'fish', label: 'fish', usageKey: msg('tabs.fish') },
  { format: 'powershell', label: 'PowerShell', usageKey: msg('tabs.powershell') },
  { format: 'windows-cmd', label: 'Windows cmd', usageKey: msg('tabs.windowsCmd') },
  {
    format: 'credentials',
    label: 'Credentials file',
    labelKey: msg('tabs.credentialsLabel'),
    usageKey: msg('tabs.credentials'),
  },
  { format: 'config', label: 'credential_process config', usageKey: msg('tabs.config') },
  { format: 'dotenv', label: '.env', usageKey: msg('tabs.dotenv') },
  { format: 'json', label: 'JSON', usageKey: msg('tabs.json') },
];

/**
 * The container credentials set-up for a role: every AWS SDK and the AWS CLI v2 then fetch (and
 * refresh) the role's credentials from the portal by themselves, with the helper's portal token.
 */
export function containerTab(origin: string, roleAlias: string): FormatTabView {
  return {
    id: 'container',
    label: t('tabs.sdkLabel'),
    usage: t('tabs.sdk'),
    body: [
      `export AWS_CONTAINER_CREDENTIALS_FULL_URI=${origin}/api/v1/container-credentials/${encodeURIComponent(roleAlias)}`,
      'export AWS_CONTAINER_AUTHORIZATION_TOKEN="$(jq -r .token ~/.config/aws-mfa-portal/token)"',
      '',
    ].join('\n'),
  };
}

/** A tab as the panel shows it: the body already carries the user's profile name. */
export interface FormatTabView {
  id: string;
  label: string;
  usage: string;
  body: string;
}
