import { afterAll, beforeAll } from 'vitest';
import { ACCOUNT, type HarnessOptions, type PortalHarness, startPortalHarness } from './portal-harness.ts';
import type { TestDatabase, TestDatabaseProvider } from './test-databases.ts';

/**
 * The harness with the demo organisation enrolled and a catalog:
 * - alice (ForceMFAAllowAssumeRole: direct AssumeRole with her code), erin (no force-MFA policy),
 *   carol (hardware MFA, portal-admins), frank (strict ForceMFA: MFA-session path only);
 * - readonly (everyone), admin (portal-admins; trust demands MFA younger than 1 h),
 *   deploy (developers; trust does not require MFA), partner (cross-account, external ID).
 */
export async function startEnrolledPortal(options: HarnessOptions): Promise<PortalHarness> {
  const harness = await startPortalHarness(options);
  const { custody, catalog } = harness.app.services;
  for (const userName of ['alice', 'erin', 'carol', 'frank']) await custody.enroll(userName);
  await catalog.add({
    alias: 'readonly',
    roleArn: `arn:aws:iam::${ACCOUNT}:role/ReadOnly`,
    users: ['*'],
    description: 'Read-only access',
  });
  await catalog.add({ alias: 'admin', roleArn: `arn:aws:iam::${ACCOUNT}:role/Admin`, groups: ['portal-admins'] });
  await catalog.add({ alias: 'deploy', roleArn: `arn:aws:iam::${ACCOUNT}:role/Deploy`, groups: ['developers'] });
  await catalog.add({
    alias: 'partner',
    roleArn: 'arn:aws:iam::222222222222:role/PartnerAudit',
    users: ['*'],
    externalId: 'partner-audit-7f3a',
  });
  return harness;
}

/**
 * Registers beforeAll/afterAll hooks that start an enrolled portal on a fresh database from
 * `provider` and tear both down; returns a getter for the running harness.
 */
export function useEnrolledPortal(
  provider: TestDatabaseProvider,
  options: Omit<HarnessOptions, 'databaseUrl'> = {},
): () => PortalHarness {
  let db: TestDatabase | undefined;
  let portal: PortalHarness | undefined;
  beforeAll(async () => {
    db = await provider.create({ migrate: false });
    portal = await startEnrolledPortal({ ...options, databaseUrl: db.url });
  });
  afterAll(async () => {
    await portal?.close();
    await db?.drop();
  });
  return () => {
    if (!portal) throw new Error('the portal is not running (beforeAll failed?)');
    return portal;
  };
}
