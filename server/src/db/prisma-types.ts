import type { Prisma, PrismaClient } from '../generated/prisma-sqlite/client.ts';

/**
 * What repositories take: the client itself or the client of an open transaction, so a service
 * can write a change and the audit row that records it in one `$transaction`.
 */
export type DbClient = PrismaClient | Prisma.TransactionClient;

/** Prisma's unique-constraint violation, the same code on every provider. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}
