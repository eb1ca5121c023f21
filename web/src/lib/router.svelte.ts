/**
 * A small history-API router: the app has a handful of fixed paths, so a library would be weight
 * without benefit. Nothing secret ever goes into a URL.
 */

export type RouteName =
  | 'sign-in'
  | 'roles'
  | 'session'
  | 'devices'
  | 'admin'
  | 'admin-audit'
  | 'admin-roles'
  | 'admin-users'
  | 'admin-exemptions'
  | 'mfa-setup'
  | 'not-found';

const ROUTES: Record<string, RouteName> = {
  '/': 'sign-in',
  '/roles': 'roles',
  '/session': 'session',
  '/devices': 'devices',
  '/admin': 'admin',
  '/admin/audit': 'admin-audit',
  '/admin/roles': 'admin-roles',
  '/admin/users': 'admin-users',
  '/admin/exemptions': 'admin-exemptions',
  '/mfa-setup': 'mfa-setup',
};

/** Setup links carry their token in the fragment (`/mfa-setup#token`) or, typed by hand, the path. */
const MFA_SETUP_WITH_TOKEN = /^\/mfa-setup\/[A-Za-z0-9_-]{1,64}$/;

export function routeFor(path: string): RouteName {
  const trimmed = path.replace(/\/+$/, '') || '/';
  if (MFA_SETUP_WITH_TOKEN.test(trimmed)) return 'mfa-setup';
  return ROUTES[trimmed] ?? 'not-found';
}

export const isAdminRoute = (route: RouteName): boolean => route === 'admin' || route.startsWith('admin-');

export class Router {
  path = $state(window.location.pathname);
  route = $derived(routeFor(this.path));
  /** Counts client-side navigations, so the app can move focus only after the first page. */
  navigations = $state(0);

  constructor() {
    window.addEventListener('popstate', () => {
      this.path = window.location.pathname;
      this.navigations += 1;
    });
  }

  navigate(path: string, options: { replace?: boolean } = {}): void {
    if (path === this.path) return;
    if (options.replace) window.history.replaceState(null, '', path);
    else window.history.pushState(null, '', path);
    this.path = path;
    this.navigations += 1;
  }

  /** onclick for in-app links: plain left clicks navigate here, modified clicks keep browser behaviour. */
  readonly followLink = (event: MouseEvent): void => {
    const anchor = event.currentTarget;
    if (!(anchor instanceof HTMLAnchorElement)) return;
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    )
      return;
    const url = new URL(anchor.href);
    if (url.origin !== window.location.origin) return;
    event.preventDefault();
    this.navigate(url.pathname);
  };
}

export const router = new Router();
