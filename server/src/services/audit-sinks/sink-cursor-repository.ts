import { isUniqueViolation } from '../../db/prisma-types.ts';
import type { PrismaClient } from '../../generated/prisma-sqlite/client.ts';

/** The outbox cursors: the last audit seq each sink has taken. The outbox owns this table. */
export function createSinkCursorRepository(prisma: PrismaClient) {
  return {
    async lastSeq(sink: string): Promise<number> {
      const row = await prisma.auditSinkCursor.findUnique({ where: { sink } });
      return row?.lastSeq ?? 0;
    },

    /** Moves the cursor forward only: an instance that lost its lease cannot move it back. */
    async advance(sink: string, lastSeq: number, at: Date): Promise<void> {
      const moved = await prisma.auditSinkCursor.updateMany({
        where: { sink, lastSeq: { lt: lastSeq } },
        data: { lastSeq, updatedAt: at },
      });
      if (moved.count === 1) return;
      try {
        await prisma.auditSinkCursor.create({ data: { sink, lastSeq, updatedAt: at } });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error; // it exists and is already at or past lastSeq
      }
    },
  };
}

export type SinkCursorRepository = ReturnType<typeof createSinkCursorRepository>;
