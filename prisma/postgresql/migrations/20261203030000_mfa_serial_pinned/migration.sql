-- AlterTable
ALTER TABLE "EnrolledUser" ADD COLUMN     "mfaSerialPinned" BOOLEAN NOT NULL DEFAULT false;
