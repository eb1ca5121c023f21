-- AlterTable: FIDO security keys are counted apart (they protect console sign-in only).
ALTER TABLE "ComplianceUser" ADD COLUMN "fidoMfaCount" INTEGER NOT NULL DEFAULT 0;
