/**
 * The one exponential backoff with jitter the project's retries use (the
 * audit stores' writes, the ServiceNow client): the cap doubles per attempt
 * from `baseMs` up to `maxMs`, and the wait is drawn below it so that
 * writers that failed together do not retry together.
 */

export interface Backoff {
  /** The cap of the first wait (attempt 0); it doubles each attempt. */
  baseMs: number;
  /** The largest cap. */
  maxMs: number;
  /**
   * `full`: uniform in [0, cap] (AWS's "full jitter": least contention, for
   * racing writers); `equal`: uniform in [cap/2, cap] (the wait still grows
   * each attempt, for a service that asked to be left alone).
   */
  jitter: 'full' | 'equal';
  /** Injectable for tests. */
  random?: () => number;
}

/** The wait before retry number `attempt` (0 for the first retry), in ms. */
export function backoffMs(b: Backoff, attempt: number): number {
  const cap = Math.min(b.maxMs, b.baseMs * 2 ** attempt);
  const r = (b.random ?? Math.random)();
  return b.jitter === 'full' ? Math.floor(r * cap) : cap / 2 + r * (cap / 2);
}
