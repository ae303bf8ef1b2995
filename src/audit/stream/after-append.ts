/**
 * Append, then stream: the Action, the App and `audit append --kafka` publish
 * the log to Kafka right after appending, without making the append depend
 * on Kafka. The record is durable in the store before Kafka is contacted;
 * the stream gets a bounded time and never throws. When it fails (Kafka down,
 * a partition without leader), the outcome says so and the next append, or
 * a `model-gate audit stream` run, publishes what the topic lacks: the topic
 * itself says where to resume.
 */
import { GateError, messageOf } from '../../core/errors.js';
import type { AuditStore } from '../store.js';
import type { KafkaConnection } from './kafka-connection.js';
import { KafkaTopic } from './kafka-topic.js';
import { streamLog, type StreamResult } from './stream-log.js';
import type { AuditTopic } from './topic.js';

/** What streaming after an append came to. */
export type StreamOutcome =
  | { ok: true; topic: string; last: number; published: number; stoodDown?: string }
  | { ok: false; topic: string; error: string };

/** Publishes a store's log after an append; bounded, never throws. */
export interface AppendStreamer {
  readonly topic: string;
  afterAppend(store: AuditStore): Promise<StreamOutcome>;
}

export interface AppendStreamerOptions {
  /** The whole stream step's bound, in ms (default 10,000). */
  timeoutMs?: number;
  /** Opens the topic (tests); default: the Kafka adapter. */
  openTopic?: () => AuditTopic;
}

/** Default bound of the stream step after an append: a release waits at most this long for Kafka. */
export const AFTER_APPEND_TIMEOUT_MS = 10_000;

/** A streamer to `topic` over `conn`: one fresh topic connection per append (stateless fronts). */
export function appendStreamer(conn: KafkaConnection, topic: string, options: AppendStreamerOptions = {}): AppendStreamer {
  const timeoutMs = options.timeoutMs ?? AFTER_APPEND_TIMEOUT_MS;
  // Checks the topic name now: a bad name is a configuration error, not an outage.
  const probe = new KafkaTopic(conn, topic, { timeoutMs });
  const name = probe.displayName;
  const open = options.openTopic ?? (() => new KafkaTopic(conn, topic, { timeoutMs }));
  return {
    topic: name,
    async afterAppend(store: AuditStore): Promise<StreamOutcome> {
      const t0 = Date.now();
      let t: AuditTopic;
      try {
        t = open();
      } catch (e) {
        return { ok: false, topic: name, error: messageOf(e) };
      }
      let timer: NodeJS.Timeout | undefined;
      const work: Promise<StreamResult> = streamLog(store, t, {});
      // The work may still fail after the bound has passed (closing the
      // connection makes it): that failure is already reported as a timeout.
      work.catch(() => undefined);
      const bound = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      try {
        const r = await Promise.race([work, bound]);
        if (r === 'timeout') {
          return { ok: false, topic: name, error: `Kafka did not take the log within ${Math.round(timeoutMs / 1000)} s (the record is in the store; the next append or \`model-gate audit stream\` publishes it)` };
        }
        return { ok: true, topic: name, last: r.last, published: r.published, ...(r.stoodDown ? { stoodDown: r.stoodDown } : {}) };
      } catch (e) {
        return { ok: false, topic: name, error: e instanceof GateError ? e.message : messageOf(e) };
      } finally {
        clearTimeout(timer);
        // Closing is bounded too: a cluster that hangs must not hold the release.
        const left = Math.max(500, timeoutMs - (Date.now() - t0));
        await Promise.race([t.close().catch(() => undefined), new Promise((r) => setTimeout(r, Math.min(left, 2000)).unref())]);
      }
    },
  };
}
