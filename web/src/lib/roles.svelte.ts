import { getMe, type PortalRole } from './api/me-service.ts';
import { Loadable } from './loadable.svelte.ts';
import { session } from './session.svelte.ts';

/** The roles the signed-in user may use, loaded from /api/v1/me and forgotten at sign-out. */
export const myRoles = new Loadable<PortalRole[]>([], async () => (await getMe()).roles);

session.onEnd(() => myRoles.reset());
