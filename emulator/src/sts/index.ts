import type { OperationTable } from '../protocol/operation.ts';
import { assumeRole } from './assume-role.ts';
import { getCallerIdentity } from './get-caller-identity.ts';
import { getSessionToken } from './get-session-token.ts';

/** STS 2011-06-15 operations served by the emulator. */
export const stsOperations: OperationTable = {
  AssumeRole: assumeRole,
  GetCallerIdentity: getCallerIdentity,
  GetSessionToken: getSessionToken,
};
