/**
 * The generated ~/.aws/config (GET /api/v1/aws-config): a plain link, so the browser downloads
 * it with the session cookie; it carries no secret.
 */
export const awsConfigDownloadUrl = '/api/v1/aws-config?download=1';
