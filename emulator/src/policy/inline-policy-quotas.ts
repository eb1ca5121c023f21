import type { PolicyDocument } from '../state/state-file.ts';

/**
 * IAM's quotas on inline policies (IAM User Guide, "IAM and AWS STS quotas"): a role's inline
 * policies may total 10,240 characters, a user's 2,048; whitespace is not counted. PutRolePolicy
 * and PutUserPolicy enforce them, and a state file is held to them when it is loaded, so a file
 * the emulator persisted always loads and a hand-written one cannot hold what IAM would refuse.
 */
export const ROLE_INLINE_POLICY_LIMIT = 10_240;
export const USER_INLINE_POLICY_LIMIT = 2_048;

/** Characters IAM counts against the size quota: the document without whitespace. */
export const countedSize = (document: PolicyDocument): number => JSON.stringify(document).replace(/\s/g, '').length;
