import { isUniqueViolation } from '../../db/prisma-types.ts';
import type { PrismaClient } from '../../generated/prisma-sqlite/client.ts';

export interface LeaseClaim {
  claimed: boolean;
  /** When the claim took over an expired lease: what its holder was doing (it died or stalled). */
  abandonedSubject?: string | null;
}

export interface LeaseInfo {
  holder: string;
  subject: string | null;
  expiresAt: Date;
}

/**
 * Named leases in the database, so that of several portal instances only one does a job at a
 * time. Every step is a single atomic statement on SQLite and PostgreSQL: a claim inserts the row
 * (the primary key lets one insert win), or takes over an expired row with a compare-and-set
 * update on the holder and expiry it read. A holder renews its lease while working; if it dies,
 * the lease expires and another instance may take over.
 */
export function createLeaseStore({ prisma, now = () => new Date() }: { prisma: PrismaClient; now?: () => Date }) {
  return {
    async claim(name: string, holder: string, ttlMs: number, subject: string | null = null): Promise<LeaseClaim> {
      const at = now();
      const expiresAt = new Date(at.getTime() + ttlMs);
      try {
        await prisma.lease.create({ data: { name, holder, subject, expiresAt } });
        return { claimed: true };
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
      const current = await prisma.lease.findUnique({ where: { name } });
      if (!current) return { claimed: false }; // released between our insert and read: let the caller retry later
      if (current.expiresAt.getTime() > at.getTime()) return { claimed: false };
      const taken = await prisma.lease.updateMany({
        where: { name, holder: current.holder, expiresAt: current.expiresAt },
        data: { holder, subject, expiresAt },
      });
      return taken.count === 1 ? { claimed: true, abandonedSubject: current.subject } : { claimed: false };
    },

    /** Extends a lease this holder still holds; false when it was lost (expired and taken over). */
    async renew(name: string, holder: string, ttlMs: number, subject?: string): Promise<boolean> {
      const renewed = await prisma.lease.updateMany({
        where: { name, holder },
        data: { expiresAt: new Date(now().getTime() + ttlMs), ...(subject !== undefined ? { subject } : {}) },
      });
      return renewed.count === 1;
    },

    async release(name: string, holder: string): Promise<void> {
      await prisma.lease.deleteMany({ where: { name, holder } });
    },

    /** The live lease, if any. */
    async current(name: string): Promise<LeaseInfo | null> {
      const row = await prisma.lease.findUnique({ where: { name } });
      return row && row.expiresAt.getTime() > now().getTime()
        ? { holder: row.holder, subject: row.subject, expiresAt: row.expiresAt }
        : null;
    },
  };
}

export type LeaseStore = ReturnType<typeof createLeaseStore>;
