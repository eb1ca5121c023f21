import { isUniqueViolation } from '../../db/prisma-types.ts';
import type { Prisma, PrismaClient } from '../../generated/prisma-sqlite/client.ts';

const ATTEMPTS = 6;

/**
 * Runs a change and the audit row that records it in one transaction, retrying the whole
 * transaction when it collides on a unique key: two writers that read the same audit chain head
 * both claim the next `seq`, and the loser must start over on the new head (see audit-service).
 * A collision that is not about the chain (say, a taken alias) fails the same way every time
 * and surfaces after the last attempt, for the caller to translate.
 */
export async function auditedTransaction<T>(
  prisma: PrismaClient,
  work: (tx: Prisma.TransactionClient) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await prisma.$transaction(work);
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}
