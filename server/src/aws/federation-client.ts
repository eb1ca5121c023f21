/** Temporary role credentials, as the federation endpoint's `Session` parameter names them. */
export interface FederationCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/** The federation endpoint refused or could not be reached; `status` is its HTTP status, if any. */
export class FederationError extends Error {
  constructor(
    readonly status: number | null,
    message: string,
  ) {
    super(message);
    this.name = 'FederationError';
  }
}

export interface FederationClientDeps {
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * The AWS sign-in federation endpoint (`/federation`): `getSigninToken` exchanges role
 * credentials for a sign-in token, `loginUrl` builds the address that redeems it. Both carry
 * secrets (the credentials, the token): nothing here logs them, and errors never include them.
 */
export function createFederationClient({ fetch: fetchImpl = fetch, timeoutMs = 10_000 }: FederationClientDeps = {}) {
  return {
    async getSigninToken(
      endpoint: string,
      credentials: FederationCredentials,
      sessionDurationSeconds: number,
    ): Promise<string> {
      const url = new URL(endpoint);
      url.searchParams.set('Action', 'getSigninToken');
      url.searchParams.set('SessionDuration', String(sessionDurationSeconds));
      url.searchParams.set(
        'Session',
        JSON.stringify({
          sessionId: credentials.accessKeyId,
          sessionKey: credentials.secretAccessKey,
          sessionToken: credentials.sessionToken,
        }),
      );
      let response: Response;
      try {
        response = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
      } catch {
        throw new FederationError(null, 'The AWS federation endpoint could not be reached.');
      }
      const text = await response.text().catch(() => '');
      if (!response.ok)
        throw new FederationError(response.status, `The AWS federation endpoint answered ${response.status}.`);
      try {
        const token = (JSON.parse(text) as { SigninToken?: unknown }).SigninToken;
        if (typeof token === 'string' && token.length > 0) return token;
      } catch {
        // fall through
      }
      throw new FederationError(response.status, 'The AWS federation endpoint answered without a sign-in token.');
    },

    loginUrl(endpoint: string, input: { issuer: string; destination: string; signinToken: string }): string {
      const url = new URL(endpoint);
      url.searchParams.set('Action', 'login');
      url.searchParams.set('Issuer', input.issuer);
      url.searchParams.set('Destination', input.destination);
      url.searchParams.set('SigninToken', input.signinToken);
      return url.toString();
    },
  };
}

export type FederationClient = ReturnType<typeof createFederationClient>;
