-- AlterTable
ALTER TABLE "AttemptCounter" ADD COLUMN "blockedAt" DATETIME;
ALTER TABLE "AttemptCounter" ADD COLUMN "refusals" INTEGER NOT NULL DEFAULT 0;
