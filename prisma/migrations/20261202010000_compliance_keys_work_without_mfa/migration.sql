-- One name for "access keys that work without MFA", from the column to the CSV header.

-- AlterTable
ALTER TABLE "ComplianceUser" RENAME COLUMN "keysWithoutMfa" TO "keysWorkWithoutMfa";

-- DropIndex
DROP INDEX "ComplianceUser_scanId_keysWithoutMfa_userNameKey_idx";

-- CreateIndex
CREATE INDEX "ComplianceUser_scanId_keysWorkWithoutMfa_userNameKey_idx" ON "ComplianceUser"("scanId", "keysWorkWithoutMfa", "userNameKey");
