-- CreateTable
CREATE TABLE "AwsRevocation" (
    "userNameKey" TEXT NOT NULL PRIMARY KEY,
    "userName" TEXT NOT NULL,
    "sourceIdentity" TEXT NOT NULL,
    "revokedAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "revokedBy" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Offboarding" (
    "userNameKey" TEXT NOT NULL PRIMARY KEY,
    "userName" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "deactivateOtherKeys" BOOLEAN NOT NULL DEFAULT false,
    "deactivateMfaDevices" BOOLEAN NOT NULL DEFAULT false,
    "startedBy" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME
);

-- CreateIndex
CREATE INDEX "AwsRevocation_expiresAt_idx" ON "AwsRevocation"("expiresAt");
