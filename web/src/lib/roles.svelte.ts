import { describeError, isSessionEnded } from './api/error-text.ts';
import { getMe, type PortalRole } from './api/me-service.ts';
import { session } from './session.svelte.ts';

/** The roles the signed-in user may use, loaded from /api/v1/me and forgotten at sign-out. */
export class RolesState {
  roles = $state.raw<PortalRole[]>([]);
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state<string | null>(null);

  constructor() {
    session.onEnd(() => this.clear());
  }

  async load(): Promise<void> {
    this.status = 'loading';
    try {
      const me = await getMe();
      this.roles = me.roles;
      this.error = null;
      this.status = 'ready';
    } catch (error) {
      if (isSessionEnded(error)) {
        session.expire('server');
        return;
      }
      this.error = describeError(error);
      this.status = 'error';
    }
  }

  clear(): void {
    this.roles = [];
    this.error = null;
    this.status = 'idle';
  }
}

export const myRoles = new RolesState();
