-- EnrolledUser.issuePath, ComplianceScan.trigger and .status become enums: SQLite keeps them as
-- TEXT (Prisma Client checks the values), so only the Json columns rebuild their tables.

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_CatalogRole" (
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
    "allowedGroups" JSONB NOT NULL,
    "allowedUsers" JSONB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_CatalogRole" ("accountId", "alias", "allowedGroups", "allowedUsers", "createdAt", "description", "externalId", "id", "maxDurationSeconds", "mfaMaxAgeSeconds", "roleArn", "roleName", "trustRequiresMfa", "updatedAt") SELECT "accountId", "alias", "allowedGroups", "allowedUsers", "createdAt", "description", "externalId", "id", "maxDurationSeconds", "mfaMaxAgeSeconds", "roleArn", "roleName", "trustRequiresMfa", "updatedAt" FROM "CatalogRole";
DROP TABLE "CatalogRole";
ALTER TABLE "new_CatalogRole" RENAME TO "CatalogRole";
CREATE UNIQUE INDEX "CatalogRole_alias_key" ON "CatalogRole"("alias");
CREATE TABLE "new_ComplianceScan" (
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
    "summary" JSONB
);
INSERT INTO "new_ComplianceScan" ("accountId", "errorCode", "finishedAt", "id", "processedUsers", "reportGeneratedAt", "requestedBy", "rootMfa", "startedAt", "status", "summary", "totalUsers", "trigger") SELECT "accountId", "errorCode", "finishedAt", "id", "processedUsers", "reportGeneratedAt", "requestedBy", "rootMfa", "startedAt", "status", "summary", "totalUsers", "trigger" FROM "ComplianceScan";
DROP TABLE "ComplianceScan";
ALTER TABLE "new_ComplianceScan" RENAME TO "ComplianceScan";
CREATE INDEX "ComplianceScan_status_startedAt_idx" ON "ComplianceScan"("status", "startedAt");
CREATE INDEX "ComplianceScan_startedAt_idx" ON "ComplianceScan"("startedAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
