import { REQUESTED_FORMATS } from '../formats/credential-formats.ts';

const formats = REQUESTED_FORMATS.map((f) => `\`${f}\``).join(', ');

/**
 * The OpenAPI document's description: how to call the API with curl. Markdown, shown at the top
 * of /api/docs. `PORTAL` stands for the portal's address.
 */
export const API_DESCRIPTION = `
Temporary AWS credentials, issued only after AWS itself verifies your MFA code; the MFA
compliance dashboard and the audit log for administrators. Every error has the shape
\`{ "error": "<stable_code>", "message": "...", "requestId": "..." }\`; quote the request id
when you report a problem.

## Examples with curl

Set \`PORTAL=https://portal.example.com\` first.

**Credentials for a role, with a fresh MFA code** (no session needed; the JSON body may also
be form-encoded):

\`\`\`sh
curl -sS "$PORTAL/api/v1/credentials" \\
  -H 'content-type: application/json' \\
  -d '{"userName":"alice","code":"123456","role":"readonly","format":"env"}'
\`\`\`

\`format\` is one of ${formats} (\`json\` when absent);
\`durationSeconds\` asks for a lifetime within the role's maximum.

**A token for the AWS CLI's credential_process**, then credentials with it (no code until
the token expires):

\`\`\`sh
TOKEN=$(curl -sS "$PORTAL/api/v1/cli-tokens" -H 'content-type: application/json' \\
  -d '{"userName":"alice","code":"123456"}' | jq -r .token)
curl -sS "$PORTAL/api/v1/credentials/process?role=readonly" -H "authorization: Bearer $TOKEN"
\`\`\`

**A browser-style session** (cookie plus the CSRF token the sign-in answer carries):

\`\`\`sh
curl -sS -c jar -H 'content-type: application/json' "$PORTAL/api/v1/session" \\
  -d '{"userName":"alice","code":"123456"}'        # answer: {"csrfToken": "...", ...}
curl -sS -b jar -H "x-csrf-token: $CSRF" -H 'content-type: application/json' \\
  "$PORTAL/api/v1/credentials" -d '{"role":"readonly"}'
\`\`\`

**Metrics** (Prometheus text; only when the operator set \`METRICS_TOKEN\`):

\`\`\`sh
curl -sS "$PORTAL/metrics" -H "authorization: Bearer $METRICS_TOKEN"
\`\`\`

The machine-readable document is at [/api/openapi.json](/api/openapi.json).
`;
