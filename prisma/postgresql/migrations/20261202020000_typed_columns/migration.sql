-- CreateEnum
CREATE TYPE "IssuePath" AS ENUM ('assume_role', 'mfa_session');

-- CreateEnum
CREATE TYPE "ScanTrigger" AS ENUM ('startup', 'schedule', 'manual');

-- CreateEnum
CREATE TYPE "ScanStatus" AS ENUM ('running', 'complete', 'failed');

-- AlterTable: the values are kept (Prisma would drop and re-add the columns).
ALTER TABLE "EnrolledUser" ALTER COLUMN "issuePath" SET DATA TYPE "IssuePath" USING ("issuePath"::"IssuePath");

-- AlterTable
ALTER TABLE "CatalogRole" ALTER COLUMN "allowedGroups" SET DATA TYPE JSONB USING ("allowedGroups"::jsonb),
ALTER COLUMN "allowedUsers" SET DATA TYPE JSONB USING ("allowedUsers"::jsonb);

-- AlterTable
ALTER TABLE "ComplianceScan" ALTER COLUMN "trigger" SET DATA TYPE "ScanTrigger" USING ("trigger"::"ScanTrigger"),
ALTER COLUMN "status" SET DATA TYPE "ScanStatus" USING ("status"::"ScanStatus"),
ALTER COLUMN "summary" SET DATA TYPE JSONB USING ("summary"::jsonb);
