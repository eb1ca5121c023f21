-- CreateTable
CREATE TABLE "ComplianceScan" (
    "id" TEXT NOT NULL,
    "accountId" TEXT,
    "trigger" TEXT NOT NULL,
    "requestedBy" TEXT,
    "status" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),
    "totalUsers" INTEGER NOT NULL DEFAULT 0,
    "processedUsers" INTEGER NOT NULL DEFAULT 0,
    "errorCode" TEXT,
    "reportGeneratedAt" TIMESTAMP(3),
    "rootMfa" BOOLEAN,
    "summary" TEXT,

    CONSTRAINT "ComplianceScan_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ComplianceUser" (
    "id" TEXT NOT NULL,
    "scanId" TEXT NOT NULL,
    "userName" TEXT NOT NULL,
    "userNameKey" TEXT NOT NULL,
    "userArn" TEXT NOT NULL,
    "userCreatedAt" TIMESTAMP(3),
    "consoleAccess" BOOLEAN NOT NULL,
    "passwordLastUsedAt" TIMESTAMP(3),
    "mfaActive" BOOLEAN NOT NULL,
    "mfaDeviceCount" INTEGER NOT NULL,
    "virtualMfaCount" INTEGER NOT NULL,
    "hardwareMfaCount" INTEGER NOT NULL,
    "activeKeyCount" INTEGER NOT NULL,
    "oldestKeyCreatedAt" TIMESTAMP(3),
    "keysLastUsedAt" TIMESTAMP(3),
    "keysWithoutMfa" TEXT NOT NULL,
    "enrolled" BOOLEAN NOT NULL,
    "lastPortalSignInAt" TIMESTAMP(3),

    CONSTRAINT "ComplianceUser_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Lease" (
    "name" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "subject" TEXT,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Lease_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "MfaSetupLink" (
    "id" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "userName" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "deviceSerial" TEXT,
    "sealedSecret" TEXT,
    "masterKeyId" TEXT,
    "failedAttempts" INTEGER NOT NULL DEFAULT 0,
    "completedAt" TIMESTAMP(3),
    "consumedAt" TIMESTAMP(3),

    CONSTRAINT "MfaSetupLink_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "ComplianceUser" ADD CONSTRAINT "ComplianceUser_scanId_fkey" FOREIGN KEY ("scanId") REFERENCES "ComplianceScan"("id") ON DELETE CASCADE ON UPDATE CASCADE;
