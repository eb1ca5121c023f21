-- CreateTable
CREATE TABLE "AwsRevocation" (
    "userNameKey" TEXT NOT NULL,
    "userName" TEXT NOT NULL,
    "sourceIdentity" TEXT NOT NULL,
    "revokedAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "revokedBy" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AwsRevocation_pkey" PRIMARY KEY ("userNameKey")
);

-- CreateTable
CREATE TABLE "Offboarding" (
    "userNameKey" TEXT NOT NULL,
    "userName" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "deactivateOtherKeys" BOOLEAN NOT NULL DEFAULT false,
    "deactivateMfaDevices" BOOLEAN NOT NULL DEFAULT false,
    "startedBy" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Offboarding_pkey" PRIMARY KEY ("userNameKey")
);

-- CreateIndex
CREATE INDEX "AwsRevocation_expiresAt_idx" ON "AwsRevocation"("expiresAt");
