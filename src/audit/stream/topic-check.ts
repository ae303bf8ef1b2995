/**
 * The topic as one more copy of the log: what it lacks, what it has that the
 * store does not, what it holds out of order or twice, and every message
 * whose bytes differ from the store's record. Pure: the messages and the
 * store's records go in, findings come out.
 */
import { recordDigest } from '../record.js';
import type { Finding } from '../findings.js';
import { parseMessage, type TopicMessage } from './cloudevent.js';

/** What the comparison needs of one message: its parse without the bytes (so a long topic is not held in memory). */
export type CheckedMessage =
  | { ok: true; offset: string; log: string; seq: number; digest: string; statedDigest: string }
  | { ok: false; offset: string; seq: number | null; reason: string };

/** A message reduced to what {@link compareCopies} needs. */
export function checkedMessage(m: TopicMessage): CheckedMessage {
  const p = parseMessage(m);
  return p.ok
    ? { ok: true, offset: p.offset, log: p.log, seq: p.seq, digest: p.digest, statedDigest: p.statedDigest }
    : { ok: false, offset: p.offset, seq: p.seq, reason: p.reason };
}

/**
 * Compares the messages of one log (offset order) with the store's records
 * (`stored.get(seq)` = the digest of the owning bytes). `storeSize` is the
 * store's log size; `name` labels the findings (`kafka://BROKERS/TOPIC`).
 */
export function compareCopies(
  name: string,
  log: string,
  messages: Iterable<CheckedMessage>,
  stored: ReadonlyMap<number, string>,
  storeSize: number,
): Finding[] {
  const out: Finding[] = [];
  const add = (kind: Finding['kind'], seq: number, message: string): void => void out.push({ kind, seq, message, store: name });
  const firstAt = new Map<number, string>();
  let highest = -1;
  let highestOffset = '';
  for (const p of messages) {
    if (!p.ok) {
      add('unparseable', p.seq ?? -1, `message at offset ${p.offset} is not a record of this stream: ${p.reason}`);
      continue;
    }
    if (p.log !== log) {
      add('wrong-log', p.seq, `message at offset ${p.offset} is keyed ${log} but its id names log ${JSON.stringify(p.log)}`);
      continue;
    }
    const seen = firstAt.get(p.seq);
    if (seen !== undefined) {
      add('duplicate', p.seq, `record ${p.seq} appears again at offset ${p.offset} (first at offset ${seen})`);
      continue;
    }
    firstAt.set(p.seq, p.offset);
    if (p.seq < highest) {
      add('misplaced', p.seq, `record ${p.seq} (offset ${p.offset}) comes after record ${highest} (offset ${highestOffset}): out of order`);
    } else {
      highest = p.seq;
      highestOffset = p.offset;
    }
    const mine = stored.get(p.seq);
    if (!mine) {
      add('store-mismatch', p.seq, `the topic has record ${p.seq} (offset ${p.offset}, ${p.digest}); the store has no record ${p.seq}`);
    } else if (mine !== p.digest) {
      add('store-mismatch', p.seq, `record ${p.seq} differs: the store has ${mine}, the topic (offset ${p.offset}) has ${p.digest}`);
    } else if (p.statedDigest !== p.digest) {
      add('store-mismatch', p.seq, `message at offset ${p.offset} states ce_digest ${p.statedDigest}, but its value hashes to ${p.digest}`);
    }
  }
  for (let seq = 0; seq < storeSize; seq++) {
    if (stored.has(seq) && !firstAt.has(seq)) add('missing', seq, `record ${seq} is in the store but not in the topic`);
  }
  return out;
}

/** {@link compareCopies} over whole messages and the store's owning bytes. */
export function compareTopic(
  name: string,
  log: string,
  messages: readonly TopicMessage[],
  stored: ReadonlyMap<number, Uint8Array>,
  storeSize: number,
): Finding[] {
  const digests = new Map([...stored].map(([seq, bytes]) => [seq, recordDigest(bytes)] as [number, string]));
  return compareCopies(name, log, messages.map(checkedMessage), digests, storeSize);
}
