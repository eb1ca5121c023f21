-- AlterTable
ALTER TABLE "CliToken" ADD COLUMN     "sourceIp" TEXT,
ADD COLUMN     "userAgent" TEXT;

-- AlterTable
ALTER TABLE "WebSession" ADD COLUMN     "userName" TEXT;

-- Sessions signed in before this migration name their user only inside the JSON.
UPDATE "WebSession" SET "userName" = ("data"::jsonb ->> 'userName');

-- CreateIndex
CREATE INDEX "WebSession_userName_idx" ON "WebSession"("userName");
