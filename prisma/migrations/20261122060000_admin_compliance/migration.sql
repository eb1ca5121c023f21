-- CreateTable
CREATE TABLE "ComplianceScan" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "accountId" TEXT,
    "trigger" TEXT NOT NULL,
    "requestedBy" TEXT,
    "status" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "finishedAt" DATETIME,
    "totalUsers" INTEGER NOT NULL DEFAULT 0,
    "processedUsers" INTEGER NOT NULL DEFAULT 0,
    "errorCode" TEXT,
    "reportGeneratedAt" DATETIME,
    "rootMfa" BOOLEAN,
    "summary" TEXT
);

-- CreateTable
CREATE TABLE "ComplianceUser" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "scanId" TEXT NOT NULL,
    "userName" TEXT NOT NULL,
    "userNameKey" TEXT NOT NULL,
    "userArn" TEXT NOT NULL,
    "userCreatedAt" DATETIME,
    "consoleAccess" BOOLEAN NOT NULL,
    "passwordLastUsedAt" DATETIME,
    "mfaActive" BOOLEAN NOT NULL,
    "mfaDeviceCount" INTEGER NOT NULL,
    "virtualMfaCount" INTEGER NOT NULL,
    "hardwareMfaCount" INTEGER NOT NULL,
    "activeKeyCount" INTEGER NOT NULL,
    "oldestKeyCreatedAt" DATETIME,
    "keysLastUsedAt" DATETIME,
    "keysWithoutMfa" TEXT NOT NULL,
    "enrolled" BOOLEAN NOT NULL,
    "lastPortalSignInAt" DATETIME,
    CONSTRAINT "ComplianceUser_scanId_fkey" FOREIGN KEY ("scanId") REFERENCES "ComplianceScan" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Lease" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "holder" TEXT NOT NULL,
    "subject" TEXT,
    "expiresAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "MfaSetupLink" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tokenHash" TEXT NOT NULL,
    "userName" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    "deviceSerial" TEXT,
    "sealedSecret" TEXT,
    "masterKeyId" TEXT,
    "failedAttempts" INTEGER NOT NULL DEFAULT 0,
    "completedAt" DATETIME,
    "consumedAt" DATETIME
);

-- CreateIndex
CREATE INDEX "ComplianceScan_status_startedAt_idx" ON "ComplianceScan"("status", "startedAt");

-- CreateIndex
CREATE INDEX "ComplianceScan_startedAt_idx" ON "ComplianceScan"("startedAt");

-- CreateIndex
CREATE INDEX "ComplianceUser_scanId_mfaActive_userNameKey_idx" ON "ComplianceUser"("scanId", "mfaActive", "userNameKey");

-- CreateIndex
CREATE INDEX "ComplianceUser_scanId_keysWithoutMfa_userNameKey_idx" ON "ComplianceUser"("scanId", "keysWithoutMfa", "userNameKey");

-- CreateIndex
CREATE UNIQUE INDEX "ComplianceUser_scanId_userNameKey_key" ON "ComplianceUser"("scanId", "userNameKey");

-- CreateIndex
CREATE UNIQUE INDEX "MfaSetupLink_tokenHash_key" ON "MfaSetupLink"("tokenHash");

-- CreateIndex
CREATE INDEX "MfaSetupLink_userName_idx" ON "MfaSetupLink"("userName");

-- CreateIndex
CREATE INDEX "MfaSetupLink_expiresAt_idx" ON "MfaSetupLink"("expiresAt");
