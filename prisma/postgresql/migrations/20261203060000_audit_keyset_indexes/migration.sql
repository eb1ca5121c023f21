-- The admin audit log pages newest first by seq: filter indexes end in seq (keyset paging).
DROP INDEX "AuditEvent_actor_time_idx";
DROP INDEX "AuditEvent_targetRoleArn_time_idx";
DROP INDEX "AuditEvent_action_time_idx";
CREATE INDEX "AuditEvent_actor_seq_idx" ON "AuditEvent"("actor", "seq");
CREATE INDEX "AuditEvent_targetRoleArn_seq_idx" ON "AuditEvent"("targetRoleArn", "seq");
CREATE INDEX "AuditEvent_action_seq_idx" ON "AuditEvent"("action", "seq");
