-- One name for "access keys that work without MFA", from the column to the CSV header.

-- AlterTable
ALTER TABLE "ComplianceUser" RENAME COLUMN "keysWithoutMfa" TO "keysWorkWithoutMfa";

-- RenameIndex
ALTER INDEX "ComplianceUser_scanId_keysWithoutMfa_userNameKey_idx" RENAME TO "ComplianceUser_scanId_keysWorkWithoutMfa_userNameKey_idx";
