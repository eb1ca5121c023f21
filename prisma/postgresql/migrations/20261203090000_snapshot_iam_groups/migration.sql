-- AlterTable: each snapshot row keeps the user's IAM groups (null: unknown, e.g. rows of earlier scans).
ALTER TABLE "ComplianceUser" ADD COLUMN "iamGroups" JSONB;
