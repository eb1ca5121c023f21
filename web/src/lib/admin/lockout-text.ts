import type { Lockout } from '../api/admin-lockouts-service.ts';

/** Who a lockout holds back, in words: "alice from 192.0.2.7", "alice from every address", "every user from 192.0.2.7". */
export function describeLockout(lockout: Pick<Lockout, 'budget' | 'userName' | 'sourceIp'>): string {
  if (lockout.budget === 'user_address') return `${lockout.userName} from ${lockout.sourceIp}`;
  if (lockout.budget === 'user') return `${lockout.userName} from every address`;
  return `every user from ${lockout.sourceIp}`;
}
