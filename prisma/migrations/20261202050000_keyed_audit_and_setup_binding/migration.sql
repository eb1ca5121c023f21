-- AlterTable
ALTER TABLE "MfaSetupLink" ADD COLUMN "bindingHash" TEXT;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_AuditEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "seq" INTEGER NOT NULL,
    "time" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "targetRoleArn" TEXT,
    "roleSessionName" TEXT,
    "outcome" TEXT NOT NULL,
    "errorCode" TEXT,
    "sourceIp" TEXT,
    "userAgent" TEXT,
    "requestId" TEXT,
    "metadata" JSONB,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "keyId" TEXT
);
INSERT INTO "new_AuditEvent" ("id", "seq", "time", "actor", "action", "targetRoleArn", "roleSessionName", "outcome", "errorCode", "sourceIp", "userAgent", "requestId", "metadata", "prevHash", "hash") SELECT "id", "seq", "time", "actor", "action", "targetRoleArn", "roleSessionName", "outcome", "errorCode", "sourceIp", "userAgent", "requestId", "metadata", "prevHash", "hash" FROM "AuditEvent";
DROP TABLE "AuditEvent";
ALTER TABLE "new_AuditEvent" RENAME TO "AuditEvent";
CREATE UNIQUE INDEX "AuditEvent_seq_key" ON "AuditEvent"("seq");
CREATE INDEX "AuditEvent_time_idx" ON "AuditEvent"("time");
CREATE INDEX "AuditEvent_actor_time_idx" ON "AuditEvent"("actor", "time");
CREATE INDEX "AuditEvent_targetRoleArn_time_idx" ON "AuditEvent"("targetRoleArn", "time");
CREATE INDEX "AuditEvent_action_time_idx" ON "AuditEvent"("action", "time");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
