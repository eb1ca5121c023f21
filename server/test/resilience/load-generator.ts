import type { HttpsClient } from './balancer.ts';

export interface LoadReport {
  /** Every access key id a client received. */
  accessKeyIds: string[];
  /** `<status> <error code>` or `network <message>` of every request that did not get credentials. */
  failures: string[];
  requests: number;
}

/**
 * Signed-in clients taking role credentials through the balancer in a loop, as fast as the
 * portal answers (with a short pause between requests), until stopped; each logs the access key
 * ids it received. The portals under load need API_REQUESTS_PER_MINUTE above that pace.
 */
export function runIssuanceLoad(
  client: HttpsClient,
  options: { cookie: string; csrfToken: string; workers: number; pauseMs?: number; onSecrets?: (s: string[]) => void },
): { stop(): Promise<LoadReport>; received(count: number, timeoutMs?: number): Promise<void> } {
  const report: LoadReport = { accessKeyIds: [], failures: [], requests: 0 };
  let stopping = false;
  const worker = async () => {
    while (!stopping) {
      report.requests++;
      try {
        const answer = await client.request('POST', '/api/v1/credentials', {
          headers: { cookie: options.cookie, 'x-csrf-token': options.csrfToken },
          body: { role: 'readonly', format: 'json' },
          timeoutMs: 20_000,
        });
        if (answer.status === 200) {
          const body = answer.json<{ accessKeyId: string; secretAccessKey: string; sessionToken: string }>();
          report.accessKeyIds.push(body.accessKeyId);
          options.onSecrets?.([body.secretAccessKey, body.sessionToken]);
        } else {
          let code = '';
          try {
            code = answer.json<{ error: string }>().error;
          } catch {
            code = answer.body.slice(0, 80);
          }
          report.failures.push(`${answer.status} ${code}`);
        }
      } catch (error) {
        report.failures.push(`network ${error instanceof Error ? error.message : String(error)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, options.pauseMs ?? 40));
    }
  };
  const running = Promise.all(Array.from({ length: options.workers }, worker));
  return {
    /** Resolves once `count` more credentials arrived (counted from the call), or after the timeout. */
    async received(count, timeoutMs = 60_000) {
      const target = report.accessKeyIds.length + count;
      const deadline = Date.now() + timeoutMs;
      while (report.accessKeyIds.length < target && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
    },
    async stop() {
      stopping = true;
      await running;
      return report;
    },
  };
}
