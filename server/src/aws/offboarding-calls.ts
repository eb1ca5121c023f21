import {
  DeactivateMFADeviceCommand,
  type IAMClient,
  paginateListAccessKeys,
  paginateListMFADevices,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { classifyAwsError } from './aws-errors.ts';

/** IAM calls of an offboarding's optional steps: the user's other keys and their MFA devices. */
export interface OffboardingCalls {
  /** Every access key of the user with its status. */
  listAccessKeys(userName: string): Promise<Array<{ accessKeyId: string; status: string }>>;
  deactivateAccessKey(userName: string, accessKeyId: string): Promise<void>;
  /** Serial numbers of the user's MFA devices. */
  listMfaSerials(userName: string): Promise<string[]>;
  deactivateMfaDevice(userName: string, serialNumber: string): Promise<void>;
}

export function createOffboardingCalls(iam: IAMClient): OffboardingCalls {
  return {
    listAccessKeys: (userName) =>
      guard('ListAccessKeys', async () => {
        const keys: Array<{ accessKeyId: string; status: string }> = [];
        for await (const page of paginateListAccessKeys({ client: iam }, { UserName: userName }))
          for (const key of page.AccessKeyMetadata ?? [])
            if (key.AccessKeyId) keys.push({ accessKeyId: key.AccessKeyId, status: key.Status ?? 'Active' });
        return keys;
      }),
    deactivateAccessKey: (userName, accessKeyId) =>
      guard('UpdateAccessKey', async () => {
        await iam.send(
          new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId, Status: 'Inactive' }),
        );
      }),
    listMfaSerials: (userName) =>
      guard('ListMFADevices', async () => {
        const serials: string[] = [];
        for await (const page of paginateListMFADevices({ client: iam }, { UserName: userName }))
          for (const device of page.MFADevices ?? []) if (device.SerialNumber) serials.push(device.SerialNumber);
        return serials;
      }),
    deactivateMfaDevice: (userName, serialNumber) =>
      guard('DeactivateMFADevice', async () => {
        await iam.send(new DeactivateMFADeviceCommand({ UserName: userName, SerialNumber: serialNumber }));
      }),
  };
}

async function guard<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw classifyAwsError(error, operation);
  }
}
