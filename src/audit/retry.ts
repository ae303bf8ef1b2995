/**
 * Which store errors a retry may cure, and the one retry loop for store
 * operations: every write (entries, checkpoints, tiles, notes) retries here
 * and nowhere else (a store's `create` makes one attempt), with the bounded,
 * jittered backoff of core/backoff.ts.
 */
import { backoffMs as jitteredBackoff } from '../core/backoff.js';
import { GateError, messageOf } from '../core/errors.js';

/**
 * The one test of whether a retry may cure a store error: it says so
 * (`retryable: true`, which the S3 adapter sets on transient faults: 5xx,
 * throttling, timeouts, a reset connection) or is a GateError with a service
 * code (E_S3, E_SERVICE): the S3 and file adapters throw those for transient
 * faults (timeouts, 5xx, throttling, a momentarily full process table).
 */
export function isRetryable(e: unknown): boolean {
  if (e !== null && typeof e === 'object' && (e as { retryable?: unknown }).retryable === true) return true;
  return e instanceof GateError && (e.code === 'E_S3' || e.code === 'E_SERVICE');
}

export interface RetryPolicy {
  /** Attempts for one store operation before giving up (exit 3). */
  attempts: number;
  /** First backoff; doubles each attempt, with full jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Races lost in a row before E_CONFLICT. */
  maxConflicts: number;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 6,
  baseDelayMs: 100,
  maxDelayMs: 3000,
  maxConflicts: 200,
};

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Full-jitter exponential backoff: uniform in [0, min(max, base * 2^attempt)] (core/backoff.ts). */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  return jitteredBackoff({ baseMs: policy.baseDelayMs, maxMs: policy.maxDelayMs, jitter: 'full', random: policy.random }, attempt);
}

export function sleepFor(policy: RetryPolicy, ms: number): Promise<void> {
  return (policy.sleep ?? realSleep)(ms);
}

/**
 * Runs one store operation, retrying retryable errors with backoff. Other
 * errors pass through at once; after the last attempt a service error
 * (exit 3) says which store stayed unavailable.
 */
export async function withRetry<T>(policy: RetryPolicy, what: string, store: string, op: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await op();
    } catch (e) {
      if (!isRetryable(e)) throw e;
      if (attempt + 1 >= policy.attempts) {
        throw new GateError('E_SERVICE', `${what} failed ${policy.attempts} times: ${messageOf(e)}`, {
          where: store,
          cause: e,
          hint: 'the audit store is unavailable; nothing was reported as written. Retry later.',
        });
      }
      await sleepFor(policy, backoffMs(policy, attempt));
    }
  }
}
