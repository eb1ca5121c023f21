-- AlterTable
ALTER TABLE "AuditEvent" ADD COLUMN "keyId" TEXT,
ALTER COLUMN "metadata" SET DATA TYPE JSONB USING "metadata"::jsonb;

-- AlterTable
ALTER TABLE "MfaSetupLink" ADD COLUMN "bindingHash" TEXT;
