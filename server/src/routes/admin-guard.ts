import type { FastifyRequest } from 'fastify';
import { forbidden } from '../errors/app-error.ts';
import { requireSignedIn, requireSignedInWithCsrf, type SignedInSession } from '../plugins/web-session.ts';

const adminRequired = () =>
  forbidden('admin_required', 'This needs a portal administrator (a member of the admin IAM group).');

/**
 * The admin routes' gate, run on every request before its body or query is validated: 401 for
 * anonymous callers, 403 admin_required for signed-in users who were not admins at sign-in or
 * are no longer in PORTAL_ADMIN_GROUP (asked again on each request, through the group cache),
 * and the CSRF check for anything that changes state.
 */
export async function requireAdmin(request: FastifyRequest): Promise<SignedInSession> {
  const signedIn = await requireSignedIn(request);
  if (!signedIn.isAdmin || !(await request.server.services.browserSessions.isAdmin(signedIn.userName)))
    throw adminRequired();
  const safe = request.method === 'GET' || request.method === 'HEAD';
  return safe ? signedIn : requireSignedInWithCsrf(request);
}
