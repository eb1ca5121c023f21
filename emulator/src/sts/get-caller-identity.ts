import type { Operation } from '../protocol/operation.ts';

/** Needs no permission: AWS answers it even under an explicit Deny of sts:GetCallerIdentity. */
export const getCallerIdentity: Operation = ({ caller }) => ({
  UserId: caller.kind === 'role-session' ? `${caller.roleId}:${caller.sessionName}` : caller.userId,
  Account: caller.account,
  Arn: caller.arn,
});
