import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config/config.ts';
import { forbidden } from '../errors/app-error.ts';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Fetch metadata values that say a browser sent the request from the portal's own pages or by the user's own hand. */
const OWN_FETCH_SITES = new Set(['same-origin', 'none']);

export interface RequestSite {
  /** The `Origin` header, if any. */
  origin: string | undefined;
  /** The `Sec-Fetch-Site` header, if any. */
  fetchSite: string | undefined;
}

/** Where the portal's pages live: PUBLIC_URL's origin, or (without one) the host the request was sent to. */
export type OwnSite = { origin: string } | { host: string };

/**
 * Whether a browser sent this request from another site. Browsers send `Origin` with every POST,
 * PUT, PATCH and DELETE, and `Sec-Fetch-Site` from every current engine; a page cannot forge either.
 * A request with neither (curl, the AWS CLI's credential_process helper, scripts) is no browser's
 * cross-site request and passes. `Origin: null` (sandboxed frames, opaque redirects) is foreign.
 */
export function isCrossSite(request: RequestSite, own: OwnSite): boolean {
  const fetchSite = request.fetchSite?.trim().toLowerCase();
  if (fetchSite !== undefined && !OWN_FETCH_SITES.has(fetchSite)) return true;
  if (request.origin === undefined) return false;
  // A form the portal's own page posts as a navigation carries `Origin: null` under the portal's
  // Referrer-Policy no-referrer; the browser's own `Sec-Fetch-Site: same-origin` vouches for it.
  // Without that header (or with another value) `null` stays foreign.
  if (request.origin.trim() === 'null') return fetchSite !== 'same-origin';
  let origin: URL;
  try {
    origin = new URL(request.origin);
  } catch {
    return true;
  }
  if (origin.origin === 'null') return true;
  if ('origin' in own) return origin.origin !== own.origin;
  return origin.host !== hostAs(origin.protocol, own.host);
}

/** `host` as a URL with `protocol` would spell it: lower case, without that scheme's default port. */
function hostAs(protocol: string, host: string): string | undefined {
  try {
    return new URL(`${protocol}//${host}`).host;
  } catch {
    return undefined;
  }
}

/**
 * Refuses state-changing requests that a browser sent from another site (403 cross_site_request)
 * before anything else reads them. SameSite=Strict and the CSRF token guard the signed-in routes;
 * this also covers the ones that take no cookie, such as sign-in itself (login CSRF) and MFA setup.
 */
async function crossSiteGuardPlugin(app: FastifyInstance, options: { config: Config }): Promise<void> {
  const publicOrigin = options.config.publicUrl ? new URL(options.config.publicUrl).origin : undefined;
  const refusal = publicOrigin
    ? `This request came from a page on another site, so the portal refused it. Use the portal at ${publicOrigin}.`
    : "This request came from a page on another site, so the portal refused it. Use the portal's own pages.";
  app.addHook('onRequest', async (request) => {
    if (!STATE_CHANGING.has(request.method)) return;
    const site: RequestSite = {
      origin: singleHeader(request.headers.origin),
      fetchSite: singleHeader(request.headers['sec-fetch-site']),
    };
    const own: OwnSite = publicOrigin ? { origin: publicOrigin } : { host: request.host };
    if (isCrossSite(site, own)) throw forbidden('cross_site_request', refusal);
  });
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export default fp(crossSiteGuardPlugin, { name: 'cross-site-guard', dependencies: ['error-handler'] });
