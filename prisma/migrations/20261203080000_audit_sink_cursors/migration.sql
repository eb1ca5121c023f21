-- CreateTable
CREATE TABLE "AuditSinkCursor" (
    "sink" TEXT NOT NULL PRIMARY KEY,
    "lastSeq" INTEGER NOT NULL,
    "updatedAt" DATETIME NOT NULL
);
