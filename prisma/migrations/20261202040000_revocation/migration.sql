-- AlterTable
ALTER TABLE "CliToken" ADD COLUMN "sourceIp" TEXT;
ALTER TABLE "CliToken" ADD COLUMN "userAgent" TEXT;

-- AlterTable
ALTER TABLE "WebSession" ADD COLUMN "userName" TEXT;

-- Sessions signed in before this migration name their user only inside the JSON.
UPDATE "WebSession" SET "userName" = json_extract("data", '$.userName') WHERE json_valid("data");

-- CreateIndex
CREATE INDEX "WebSession_userName_idx" ON "WebSession"("userName");
