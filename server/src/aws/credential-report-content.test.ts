import { GetCredentialReportCommand, IAMClient, IAMServiceException } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { takeReportContent } from './credential-report-content.ts';

const CSV = 'user,arn\n<root_account>,arn:aws:iam::111111111111:root\nnaïve,arn:aws:iam::111111111111:user/naïve\n';
const xml = (content: string) =>
  `<GetCredentialReportResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetCredentialReportResult>${content}<ReportFormat>text/csv</ReportFormat><GeneratedTime>2026-12-01T10:00:00Z</GeneratedTime></GetCredentialReportResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCredentialReportResponse>`;

/** An IAM client whose every request gets this answer (no network). */
const answering = (statusCode: number, body: string) =>
  new IAMClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
    requestHandler: {
      handle: async () => ({
        response: { statusCode, headers: { 'content-type': 'text/xml' }, body: Buffer.from(body) },
      }),
    },
  });

describe('takeReportContent', () => {
  it('hands over the decoded report and lets the SDK read the rest of the response', async () => {
    const command = new GetCredentialReportCommand({});
    const content = takeReportContent(command);
    const base64 = Buffer.from(CSV).toString('base64');
    // Base64 broken over lines, as some encoders write it, decodes the same.
    const out = await answering(200, xml(`<Content>${base64.slice(0, 40)}\n${base64.slice(40)}</Content>`)).send(
      command,
    );
    expect(content()?.toString('utf8')).toBe(CSV);
    // The SDK never saw the content; it still read the generation time.
    expect(out.Content).toBeUndefined();
    expect(out.GeneratedTime).toEqual(new Date('2026-12-01T10:00:00Z'));
  });

  it('leaves a response without content, and errors, to the SDK', async () => {
    const empty = new GetCredentialReportCommand({});
    const none = takeReportContent(empty);
    const out = await answering(200, xml('')).send(empty);
    expect(none()).toBeNull();
    expect(out.GeneratedTime).toEqual(new Date('2026-12-01T10:00:00Z'));

    const refused = new GetCredentialReportCommand({});
    const nothing = takeReportContent(refused);
    const error = `<ErrorResponse><Error><Type>Sender</Type><Code>ReportNotPresent</Code><Message>Generate one first. <Content>x</Content></Message></Error><RequestId>r-2</RequestId></ErrorResponse>`;
    const failed = await answering(410, error)
      .send(refused)
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(IAMServiceException);
    expect((failed as IAMServiceException).name).toBe('CredentialReportNotPresentException');
    expect(nothing()).toBeNull();
  });
});
