-- CreateTable
CREATE TABLE "AuditEvent" (
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
    "metadata" TEXT,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "AuditEvent_seq_key" ON "AuditEvent"("seq");

-- CreateIndex
CREATE INDEX "AuditEvent_time_idx" ON "AuditEvent"("time");

-- CreateIndex
CREATE INDEX "AuditEvent_actor_time_idx" ON "AuditEvent"("actor", "time");

-- CreateIndex
CREATE INDEX "AuditEvent_targetRoleArn_time_idx" ON "AuditEvent"("targetRoleArn", "time");

-- CreateIndex
CREATE INDEX "AuditEvent_action_time_idx" ON "AuditEvent"("action", "time");
