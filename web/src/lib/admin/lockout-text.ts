import type { Lockout } from '../api/admin-lockouts-service.ts';
import { t } from '../i18n/i18n.ts';

/** Who a lockout holds back, in words: "alice from 192.0.2.7", "alice from every address", "every user from 192.0.2.7". */
export function describeLockout(lockout: Pick<Lockout, 'budget' | 'userName' | 'sourceIp'>): string {
  if (lockout.budget === 'user_address')
    return t('lockouts.userFrom', { user: lockout.userName ?? '', ip: lockout.sourceIp ?? '' });
  if (lockout.budget === 'user') return t('lockouts.userEverywhere', { user: lockout.userName ?? '' });
  return t('lockouts.everyUserFrom', { ip: lockout.sourceIp ?? '' });
}
