import type { OperationTable } from '../protocol/operation.ts';
import {
  createAccessKey,
  deleteAccessKey,
  getAccessKeyLastUsed,
  listAccessKeys,
  updateAccessKey,
} from './access-keys.ts';
import { getAccountAuthorizationDetails } from './authorization-details.ts';
import { generateCredentialReport, getCredentialReport } from './credential-report.ts';
import { addUserToGroup, getGroup, listGroups, removeUserFromGroup } from './groups.ts';
import {
  deleteRolePolicy,
  deleteUserPolicy,
  getRolePolicy,
  getUserPolicy,
  listRolePolicies,
  putRolePolicy,
  putUserPolicy,
} from './inline-policies.ts';
import {
  attachGroupPolicy,
  attachUserPolicy,
  createPolicy,
  deletePolicy,
  detachGroupPolicy,
  detachUserPolicy,
  getPolicy,
  getPolicyVersion,
  listEntitiesForPolicy,
} from './managed-policies.ts';
import {
  createVirtualMfaDevice,
  deactivateMfaDevice,
  deleteVirtualMfaDevice,
  enableMfaDevice,
  listMfaDevices,
  listVirtualMfaDevices,
  resyncMfaDevice,
} from './mfa-devices.ts';
import {
  deleteRolePermissionsBoundary,
  deleteUserPermissionsBoundary,
  putRolePermissionsBoundary,
  putUserPermissionsBoundary,
} from './permissions-boundaries.ts';
import { getRole, listRoles } from './roles.ts';
import { simulatePrincipalPolicy } from './simulate.ts';
import { simulateCustomPolicy } from './simulate-custom.ts';
import { createUser, deleteUser } from './user-lifecycle.ts';
import {
  getLoginProfile,
  getUser,
  listAccountAliases,
  listAttachedUserPolicies,
  listGroupsForUser,
  listUserPolicies,
  listUsers,
} from './users.ts';

/** The IAM (2010-05-08) operations the emulator serves, by Query-protocol `Action`. */
export const iamOperations: OperationTable = {
  ListUsers: listUsers,
  GetUser: getUser,
  CreateUser: createUser,
  DeleteUser: deleteUser,
  ListGroups: listGroups,
  GetGroup: getGroup,
  ListGroupsForUser: listGroupsForUser,
  AddUserToGroup: addUserToGroup,
  RemoveUserFromGroup: removeUserFromGroup,
  ListAttachedUserPolicies: listAttachedUserPolicies,
  ListUserPolicies: listUserPolicies,
  GetLoginProfile: getLoginProfile,
  ListAccountAliases: listAccountAliases,
  ListMFADevices: listMfaDevices,
  ListVirtualMFADevices: listVirtualMfaDevices,
  CreateVirtualMFADevice: createVirtualMfaDevice,
  EnableMFADevice: enableMfaDevice,
  DeactivateMFADevice: deactivateMfaDevice,
  DeleteVirtualMFADevice: deleteVirtualMfaDevice,
  ResyncMFADevice: resyncMfaDevice,
  CreateAccessKey: createAccessKey,
  ListAccessKeys: listAccessKeys,
  UpdateAccessKey: updateAccessKey,
  DeleteAccessKey: deleteAccessKey,
  GetAccessKeyLastUsed: getAccessKeyLastUsed,
  GetRole: getRole,
  ListRoles: listRoles,
  GenerateCredentialReport: generateCredentialReport,
  GetCredentialReport: getCredentialReport,
  SimulatePrincipalPolicy: simulatePrincipalPolicy,
  PutRolePolicy: putRolePolicy,
  GetRolePolicy: getRolePolicy,
  DeleteRolePolicy: deleteRolePolicy,
  ListRolePolicies: listRolePolicies,
  PutUserPolicy: putUserPolicy,
  GetUserPolicy: getUserPolicy,
  DeleteUserPolicy: deleteUserPolicy,
  CreatePolicy: createPolicy,
  GetPolicy: getPolicy,
  GetPolicyVersion: getPolicyVersion,
  AttachUserPolicy: attachUserPolicy,
  DetachUserPolicy: detachUserPolicy,
  AttachGroupPolicy: attachGroupPolicy,
  DetachGroupPolicy: detachGroupPolicy,
  ListEntitiesForPolicy: listEntitiesForPolicy,
  DeletePolicy: deletePolicy,
  PutUserPermissionsBoundary: putUserPermissionsBoundary,
  DeleteUserPermissionsBoundary: deleteUserPermissionsBoundary,
  PutRolePermissionsBoundary: putRolePermissionsBoundary,
  DeleteRolePermissionsBoundary: deleteRolePermissionsBoundary,
  SimulateCustomPolicy: simulateCustomPolicy,
  GetAccountAuthorizationDetails: getAccountAuthorizationDetails,
};
