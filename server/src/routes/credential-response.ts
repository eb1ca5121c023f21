import type { FastifyReply } from 'fastify';
import type { StaticDecode } from 'typebox';
import { badRequest } from '../errors/app-error.ts';
import {
  CREDENTIAL_FORMATS,
  defaultProfileName,
  InvalidRenderInputError,
  type RenderOptions,
  type RequestedFormat,
  renderCredentials,
  type TemporaryCredentials,
} from '../formats/index.ts';
import type { CredentialBundle } from './credential-schemas.ts';

/**
 * Sends issued credentials in the requested format: a file body (with Content-Disposition when
 * `download`), or for `all` a JSON bundle with every format rendered (what the web UI shows).
 * Never cacheable.
 */
export function sendCredentials(
  reply: FastifyReply,
  issued: TemporaryCredentials,
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

function bundle(issued: TemporaryCredentials, options: RenderOptions): StaticDecode<typeof CredentialBundle> {
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
    expiration: issued.expiration,
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
