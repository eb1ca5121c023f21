-- AlterTable
ALTER TABLE "AttemptCounter" ADD COLUMN     "blockedAt" TIMESTAMP(3),
ADD COLUMN     "refusals" INTEGER NOT NULL DEFAULT 0;
