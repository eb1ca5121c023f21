import type { ChainCheck } from './audit-chain.ts';
import type { AuditService, VerifiedPrefix } from './audit-service.ts';

export interface ChainVerification extends ChainCheck {
  /** `full`: every row was read now; `new_rows`: only rows after the last verified head were. */
  scope: 'full' | 'new_rows';
  /** When the walk that covered the oldest rows of this answer read them (now, for `full`). */
  fullCheckAt: Date;
}

/**
 * The chain check the admin console shows on every open. A full walk reads every row (about a
 * minute at a million rows), so an ordinary check continues from the head the last good walk
 * verified: new rows are verified, and the old head row is confirmed unchanged, which catches a
 * rewritten or truncated end of the chain. A row rewritten in the middle after a good walk is
 * found by the next full walk ("Check again", and `audit verify` from the CLI), which is why the
 * answer says when the oldest rows were last read.
 *
 * One walk at a time per instance: concurrent callers share it, so reloading the page cannot
 * start more walks than there are kinds of walk. Only a good result is remembered; after a
 * broken chain every check is a full walk.
 */
export function createChainVerifier(audit: Pick<AuditService, 'verifyChain'>, now: () => Date = () => new Date()) {
  let verified: { prefix: VerifiedPrefix; fullCheckAt: Date } | null = null;
  // Walks are numbered as they start, and the result of a walk is remembered only if no walk that
  // started later has already been remembered: a slow walk cannot overwrite a newer verdict.
  let started = 0;
  let remembered = 0;
  const inFlight = new Map<ChainVerification['scope'], Promise<ChainVerification>>();

  async function walk(scope: ChainVerification['scope']): Promise<ChainVerification> {
    const ticket = ++started;
    const from = scope === 'new_rows' ? verified : null;
    const startedAt = now();
    const check = await audit.verifyChain(from?.prefix);
    const fullCheckAt = from?.fullCheckAt ?? startedAt;
    if (ticket > remembered) {
      remembered = ticket;
      verified =
        check.ok && check.head
          ? { prefix: { head: check.head, checked: check.checked, keyedFromSeq: check.keyedFromSeq }, fullCheckAt }
          : null;
    }
    return { ...check, scope, fullCheckAt };
  }

  return {
    /** Verifies the chain: only what is new since the last good walk, unless `full` (or none was good). */
    check({ full = false }: { full?: boolean } = {}): Promise<ChainVerification> {
      // While a full walk runs, an ordinary check waits for its verdict rather than vouching for
      // rows the full walk may yet find broken.
      const scope = full || !verified || inFlight.has('full') ? 'full' : 'new_rows';
      const running = inFlight.get(scope);
      if (running) return running;
      const walking = walk(scope).finally(() => inFlight.delete(scope));
      inFlight.set(scope, walking);
      return walking;
    },
  };
}

export type ChainVerifier = ReturnType<typeof createChainVerifier>;
