/**
 * kafkajs 2.2.4 (its last release) schedules its pending-request check with
 * `setTimeout(fn, throttledUntil - Date.now())` while `throttledUntil` is
 * still its initial -1: a negative delay, which Node clamps to 1 ms and,
 * since Node 23, reports on stderr as a `TimeoutNegativeWarning` — noise in
 * every `audit stream` run that a caller reading stderr takes for a fault.
 * This puts the same method back with the clamp written out: the delay
 * kafkajs got before (1 ms when not throttled), without the warning. Nothing
 * else of the queue changes; `install` refuses a queue of another shape.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const MARK = Symbol.for('model-release-gate:kafkajs-timers');
const CHECK_PENDING_REQUESTS_INTERVAL = 10; // kafkajs's own constant (requestQueue/index.js)

interface RequestQueueShape {
  throttledUntil: number;
  pending: unknown[];
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
}
type RequestQueueClass = { prototype: RequestQueueShape & { scheduleCheckPendingRequests(): void; [MARK]?: true } };

/** The delay kafkajs meant: its own rule, then Node's clamp of anything below 1 ms made explicit. */
export function pendingCheckDelay(throttledUntil: number, pending: number, now: number): number {
  let at = throttledUntil - now;
  if (pending > 0) at = at > 0 ? at : CHECK_PENDING_REQUESTS_INTERVAL;
  return Number.isFinite(at) && at >= 1 ? at : 1;
}

/** Replaces kafkajs's `RequestQueue#scheduleCheckPendingRequests` once per process. */
export function installTimerClamp(): void {
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as RequestQueueClass;
  const proto = RequestQueue.prototype;
  if (proto[MARK]) return;
  if (typeof proto.scheduleCheckPendingRequests !== 'function' || typeof proto.checkPendingRequests !== 'function') {
    throw new Error('kafkajs RequestQueue has an unexpected shape: is kafkajs still pinned to 2.2.4?');
  }
  proto.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: RequestQueueShape): void {
    if (this.throttleCheckTimeoutId) return;
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, pendingCheckDelay(this.throttledUntil, this.pending.length, Date.now()));
  };
  proto[MARK] = true;
}
