-- CreateTable
CREATE TABLE "AuditSinkCursor" (
    "sink" TEXT NOT NULL,
    "lastSeq" INTEGER NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AuditSinkCursor_pkey" PRIMARY KEY ("sink")
);
