import { AwsError } from '../protocol/aws-error.ts';
import type { Operation, OperationContext } from '../protocol/operation.ts';
import type { CredentialReportState } from '../state/store.ts';
import { buildCredentialReportCsv } from './credential-report-csv.ts';
import { ANY_RESOURCE } from './target.ts';

/**
 * Report generation is asynchronous in AWS. Here it takes a fixed GENERATION_MS from the first
 * GenerateCredentialReport call (which answers STARTED); calls within that time see INPROGRESS
 * (GetCredentialReport: 404 ReportInProgress), later ones COMPLETE. The CSV is a snapshot taken
 * when generation started and GeneratedTime is that instant. A report younger than four hours is
 * reused; an older one is replaced by the next GenerateCredentialReport and refused by
 * GetCredentialReport with 410 ReportExpired.
 */
export const GENERATION_MS = 250;
export const REPORT_REUSE_MS = 4 * 60 * 60 * 1000;

function currentReport(ctx: OperationContext): CredentialReportState | undefined {
  const report = ctx.store.credentialReports.get(ctx.caller.account);
  if (report && report.state !== 'COMPLETE' && ctx.now.getTime() - report.startedAt.getTime() >= GENERATION_MS) {
    report.state = 'COMPLETE';
    report.generatedAt = report.startedAt;
  }
  return report;
}

const expired = (report: CredentialReportState, now: Date): boolean =>
  report.generatedAt !== null && now.getTime() - report.generatedAt.getTime() >= REPORT_REUSE_MS;

export const generateCredentialReport: Operation = (ctx) => {
  ctx.authorize(ANY_RESOURCE);
  const report = currentReport(ctx);
  if (!report || (report.state === 'COMPLETE' && expired(report, ctx.now))) {
    ctx.store.credentialReports.set(ctx.caller.account, {
      state: 'STARTED',
      startedAt: ctx.now,
      generatedAt: null,
      csv: buildCredentialReportCsv(ctx.store, ctx.caller.account),
    });
    return { State: 'STARTED', Description: 'No report exists. Starting a new report generation task' };
  }
  if (report.state !== 'COMPLETE') report.state = 'INPROGRESS';
  return { State: report.state };
};

export const getCredentialReport: Operation = (ctx) => {
  ctx.authorize(ANY_RESOURCE);
  const report = currentReport(ctx);
  if (!report) {
    throw new AwsError(
      'ReportNotPresent',
      'The request was rejected because the credential report does not exist. To generate a credential report, use GenerateCredentialReport.',
      410,
    );
  }
  if (report.state !== 'COMPLETE' || report.csv === null || report.generatedAt === null) {
    throw new AwsError(
      'ReportInProgress',
      'The request was rejected because the credential report is still being generated.',
      404,
    );
  }
  if (expired(report, ctx.now)) {
    throw new AwsError(
      'ReportExpired',
      'The request was rejected because the most recent credential report has expired. To generate a new credential report, use GenerateCredentialReport.',
      410,
    );
  }
  return {
    Content: Buffer.from(report.csv, 'utf8').toString('base64'),
    ReportFormat: 'text/csv',
    GeneratedTime: report.generatedAt,
  };
};
