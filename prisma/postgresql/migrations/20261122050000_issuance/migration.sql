-- CreateTable
CREATE TABLE "EnrolledUser" (
    "id" TEXT NOT NULL,
    "userName" TEXT NOT NULL,
    "userNameKey" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "userArn" TEXT NOT NULL,
    "accessKeyId" TEXT NOT NULL,
    "sealedSecret" TEXT NOT NULL,
    "masterKeyId" TEXT NOT NULL,
    "mfaSerial" TEXT NOT NULL,
    "issuePath" TEXT NOT NULL,
    "keyCreatedAt" TIMESTAMP(3) NOT NULL,
    "enrolledAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "lastSignInAt" TIMESTAMP(3),

    CONSTRAINT "EnrolledUser_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CatalogRole" (
    "id" TEXT NOT NULL,
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
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CatalogRole_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebSession" (
    "id" TEXT NOT NULL,
    "data" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WebSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MfaSession" (
    "id" TEXT NOT NULL,
    "userName" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "sealedCredentials" TEXT NOT NULL,
    "masterKeyId" TEXT NOT NULL,
    "mfaSerial" TEXT NOT NULL,
    "authenticatedAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MfaSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CliToken" (
    "id" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "userName" TEXT NOT NULL,
    "mfaSessionId" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "CliToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AttemptCounter" (
    "key" TEXT NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "failures" INTEGER NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AttemptCounter_pkey" PRIMARY KEY ("key")
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

-- AddForeignKey
ALTER TABLE "CliToken" ADD CONSTRAINT "CliToken_mfaSessionId_fkey" FOREIGN KEY ("mfaSessionId") REFERENCES "MfaSession"("id") ON DELETE CASCADE ON UPDATE CASCADE;
