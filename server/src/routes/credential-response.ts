import type { FastifyReply } from 'fastify';
import { badRequest } from '../errors/app-error.ts';
import {
  CREDENTIAL_FORMATS,
  type CredentialFormat,
  defaultProfileName,
  InvalidRenderInputError,
  type IssuedCredentials,
  type RenderedCredentials,
  type RenderOptions,
  type RequestedFormat,
  renderCredentials,
} from '../formats/index.ts';

export type { RequestedFormat };

export interface CredentialBundle {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: string;
  accountId: string;
  roleArn: string | null;
  roleName: string | null;
  roleAlias: string | null;
  assumedRoleArn: string | null;
  roleSessionName: string | null;
  sourceIdentity: string | null;
  userName: string;
  region: string | null;
  profile: string;
  formats: Partial<Record<CredentialFormat, RenderedCredentials>>;
}

/**
 * Sends issued credentials in the requested format: a file body (with Content-Disposition when
 * `download`), or for `all` a JSON bundle with every format rendered (what the web UI shows).
 * Never cacheable.
 */
export function sendCredentials(
  reply: FastifyReply,
  issued: IssuedCredentials,
  format: RequestedFormat,
  options: RenderOptions & { download?: boolean },
): FastifyReply {
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  try {
    if (format === 'all') return reply.send(bundle(issued, options));
    const rendered = renderCredentials(format, issued, options);
    if (options.download) reply.header('content-disposition', `attachment; filename="${rendered.filename}"`);
    return reply.type(rendered.contentType).send(rendered.body);
  } catch (error) {
    if (error instanceof InvalidRenderInputError && error.source === 'options')
      throw badRequest('invalid_request', error.message);
    throw error;
  }
}

function bundle(issued: IssuedCredentials, options: RenderOptions): CredentialBundle {
  const formats: CredentialBundle['formats'] = {};
  for (const format of CREDENTIAL_FORMATS) {
    // The credential_process config needs a role to name; the user's own MFA session has none.
    if (format === 'config' && !options.roleAlias) continue;
    formats[format] = renderCredentials(format, issued, options);
  }
  return {
    accessKeyId: issued.accessKeyId,
    secretAccessKey: issued.secretAccessKey,
    sessionToken: issued.sessionToken,
    expiration: issued.expiration.toISOString(),
    accountId: issued.accountId,
    roleArn: issued.roleArn ?? null,
    roleName: issued.roleName ?? null,
    roleAlias: options.roleAlias ?? null,
    assumedRoleArn: issued.assumedRoleArn ?? null,
    roleSessionName: issued.roleSessionName ?? null,
    sourceIdentity: issued.sourceIdentity ?? null,
    userName: issued.userName,
    region: issued.region ?? null,
    profile: options.profile ?? defaultProfileName(issued),
    formats,
  };
}
