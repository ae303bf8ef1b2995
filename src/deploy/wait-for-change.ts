/**
 * Waiting for a change-advisory board, for teams that gate a deployment job
 * on the CLI instead of a GitHub environment. Polls the change until the gate
 * decides approved or rejected, or the timeout passes; never longer.
 *
 * (GitHub environments are the cheaper path: the deployment protection rule
 * asks once per event and holds no runner. This loop holds its runner, so
 * keep the timeout short.)
 */
import { GateError } from '../core/errors.js';
import type { ChangeManagement, ChangeRecord } from './change-management.js';
import {
  changeGateDecision,
  type ChangeGateDecision,
  type ChangeGateSettings,
} from './change-gate.js';

/** Time as the loop sees it; tests pass a fake one so they run in no time. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface WaitOptions {
  /** Longest total wait, reads included. */
  timeoutMs: number;
  /** Pause between reads. Default 30 s. */
  pollMs?: number;
  clock?: Clock;
  settings?: ChangeGateSettings;
  /** Called after each read (progress output). */
  onPoll?: (change: ChangeRecord, decision: ChangeGateDecision) => void;
}

export interface WaitResult {
  decision: ChangeGateDecision;
  change: ChangeRecord;
  /** Reads made. */
  polls: number;
  /** True when the timeout ended the wait with the change still pending. */
  timedOut: boolean;
}

/**
 * Polls `cm` for the change until it is approved or rejected, or `timeoutMs`
 * has passed (then the last decision, pending, is returned with `timedOut`).
 * Each read gets only the time left, so a slow service cannot stretch the wait
 * (with `timeoutMs` 0, the one read is bounded by the adapter's own limits).
 * A service failure before any answer is thrown (exit 3); one after an answer
 * that ran into the deadline ends the wait as timed out.
 */
export async function waitForChange(
  cm: ChangeManagement,
  idOrNumber: string,
  options: WaitOptions,
): Promise<WaitResult> {
  const clock = options.clock ?? systemClock;
  const pollMs = Math.max(1, options.pollMs ?? 30_000);
  const deadline = clock.now() + Math.max(0, options.timeoutMs);
  let polls = 0;
  let last: { change: ChangeRecord; decision: ChangeGateDecision } | undefined;

  for (;;) {
    const left = deadline - clock.now();
    // Always read at least once, even with a zero timeout: that is `status`.
    if (polls > 0 && left <= 0) break;
    const controller = new AbortController();
    // A zero timeout is a plain status check: its one read is bounded only by
    // the adapter's own request timeout and retries.
    const timer =
      left > 0 ? setTimeout(() => controller.abort(new Error('wait timeout')), left) : undefined;
    let change: ChangeRecord;
    try {
      change = await cm.getChange(idOrNumber, { signal: controller.signal });
    } catch (e) {
      if (last && controller.signal.aborted && e instanceof GateError && e.code === 'E_SERVICENOW') {
        break; // the deadline cut a read short: the answer is still the last one
      }
      throw e;
    } finally {
      if (timer) clearTimeout(timer);
    }
    polls++;
    const decision = changeGateDecision(change, new Date(clock.now()), options.settings);
    last = { change, decision };
    options.onPoll?.(change, decision);
    if (decision.state !== 'pending') return { ...last, polls, timedOut: false };
    const remaining = deadline - clock.now();
    if (remaining <= 0) break;
    await clock.sleep(Math.min(pollMs, remaining));
  }
  if (!last) throw new Error('unreachable: waitForChange ended without a read');
  return {
    change: last.change,
    decision:
      options.timeoutMs > 0
        ? { state: 'pending', reason: `${last.decision.reason}; still pending after waiting ${formatDuration(options.timeoutMs)}` }
        : last.decision,
    polls,
    timedOut: true,
  };
}

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 120 && s % 60 === 0 ? `${s / 60} min` : `${s} s`;
}
