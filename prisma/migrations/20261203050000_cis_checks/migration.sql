-- AlterTable
ALTER TABLE "ComplianceScan" ADD COLUMN "rootAccount" JSONB;

-- AlterTable
ALTER TABLE "ComplianceUser" ADD COLUMN "oldestCredentialUseAt" DATETIME;

-- CreateTable
CREATE TABLE "CisFinding" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "check" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "userName" TEXT NOT NULL,
    "firstScanId" TEXT NOT NULL,
    "firstSeenAt" DATETIME NOT NULL,
    "lastScanId" TEXT NOT NULL,
    "exempt" BOOLEAN NOT NULL DEFAULT false
);

-- CreateTable
CREATE TABLE "ComplianceExemption" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userNameKey" TEXT NOT NULL,
    "userName" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "AlertDelivery" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "scanId" TEXT NOT NULL,
    "webhook" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "payload" JSONB NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "deliveredAt" DATETIME
);

-- CreateIndex
CREATE UNIQUE INDEX "CisFinding_check_subject_key" ON "CisFinding"("check", "subject");

-- CreateIndex
CREATE UNIQUE INDEX "ComplianceExemption_userNameKey_key" ON "ComplianceExemption"("userNameKey");

-- CreateIndex
CREATE INDEX "AlertDelivery_status_createdAt_idx" ON "AlertDelivery"("status", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "AlertDelivery_scanId_webhook_key" ON "AlertDelivery"("scanId", "webhook");
