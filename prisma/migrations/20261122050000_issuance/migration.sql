-- CreateTable
CREATE TABLE "EnrolledUser" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userName" TEXT NOT NULL,
    "userNameKey" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "userArn" TEXT NOT NULL,
    "accessKeyId" TEXT NOT NULL,
    "sealedSecret" TEXT NOT NULL,
    "masterKeyId" TEXT NOT NULL,
    "mfaSerial" TEXT NOT NULL,
    "issuePath" TEXT NOT NULL,
    "keyCreatedAt" DATETIME NOT NULL,
    "enrolledAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "lastSignInAt" DATETIME
);

-- CreateTable
CREATE TABLE "CatalogRole" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "alias" TEXT NOT NULL,
    "roleArn" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "roleName" TEXT NOT NULL,
    "description" TEXT,
    "maxDurationSeconds" INTEGER NOT NULL,
    "mfaMaxAgeSeconds" INTEGER,
    "trustRequiresMfa" BOOLEAN,
    "externalId" TEXT,
    "allowedGroups" TEXT NOT NULL,
    "allowedUsers" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "WebSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "data" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "MfaSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userName" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "sealedCredentials" TEXT NOT NULL,
    "masterKeyId" TEXT NOT NULL,
    "mfaSerial" TEXT NOT NULL,
    "authenticatedAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "revokedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "CliToken" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tokenHash" TEXT NOT NULL,
    "userName" TEXT NOT NULL,
    "mfaSessionId" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" DATETIME,
    "revokedAt" DATETIME,
    CONSTRAINT "CliToken_mfaSessionId_fkey" FOREIGN KEY ("mfaSessionId") REFERENCES "MfaSession" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AttemptCounter" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "windowStart" DATETIME NOT NULL,
    "failures" INTEGER NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "EnrolledUser_userNameKey_key" ON "EnrolledUser"("userNameKey");

-- CreateIndex
CREATE UNIQUE INDEX "EnrolledUser_accessKeyId_key" ON "EnrolledUser"("accessKeyId");

-- CreateIndex
CREATE INDEX "EnrolledUser_masterKeyId_idx" ON "EnrolledUser"("masterKeyId");

-- CreateIndex
CREATE INDEX "EnrolledUser_keyCreatedAt_idx" ON "EnrolledUser"("keyCreatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "CatalogRole_alias_key" ON "CatalogRole"("alias");

-- CreateIndex
CREATE INDEX "WebSession_expiresAt_idx" ON "WebSession"("expiresAt");

-- CreateIndex
CREATE INDEX "MfaSession_userName_idx" ON "MfaSession"("userName");

-- CreateIndex
CREATE INDEX "MfaSession_expiresAt_idx" ON "MfaSession"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "CliToken_tokenHash_key" ON "CliToken"("tokenHash");

-- CreateIndex
CREATE INDEX "CliToken_mfaSessionId_idx" ON "CliToken"("mfaSessionId");

-- CreateIndex
CREATE INDEX "CliToken_userName_idx" ON "CliToken"("userName");

-- CreateIndex
CREATE INDEX "CliToken_expiresAt_idx" ON "CliToken"("expiresAt");

-- CreateIndex
CREATE INDEX "AttemptCounter_windowStart_idx" ON "AttemptCounter"("windowStart");
