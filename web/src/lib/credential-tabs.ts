import type { CredentialFormat } from './api/credentials-service.ts';

export interface CredentialTab {
  format: CredentialFormat;
  label: string;
  /** How to use it, in one sentence. */
  usage: string;
}

/** The result panel's tabs, in the order engineers reach for them. */
export const CREDENTIAL_TABS: readonly CredentialTab[] = [
  {
    format: 'env',
    label: 'bash/zsh',
    usage: 'Paste into a bash or zsh terminal, or save the file and run: source aws-env.sh',
  },
  { format: 'fish', label: 'fish', usage: 'Paste into a fish shell, or save the file and run: source aws-env.fish' },
  { format: 'powershell', label: 'PowerShell', usage: 'Paste into a PowerShell window.' },
  { format: 'windows-cmd', label: 'Windows cmd', usage: 'Paste into a Command Prompt window.' },
  {
    format: 'credentials',
    label: 'Credentials file',
    usage: 'Add this block to ~/.aws/credentials, then use --profile with the profile name.',
  },
  {
    format: 'config',
    label: 'credential_process config',
    usage: 'Add this to ~/.aws/config: the AWS CLI then asks the portal for fresh credentials whenever it needs them.',
  },
  { format: 'dotenv', label: '.env', usage: 'For docker run --env-file or a dotenv loader.' },
  { format: 'json', label: 'JSON', usage: 'Everything about these credentials, for scripts and jq.' },
];

/**
 * The container credentials set-up for a role: every AWS SDK and the AWS CLI v2 then fetch (and
 * refresh) the role's credentials from the portal by themselves, with the helper's portal token.
 */
export function containerTab(origin: string, roleAlias: string): FormatTabView {
  return {
    id: 'container',
    label: 'SDK auto-refresh',
    usage:
      'After `aws-mfa-portal-credentials login`, paste into bash or zsh: every AWS SDK and the AWS CLI v2 fetch fresh credentials from the portal by themselves (https, or http on localhost only).',
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
