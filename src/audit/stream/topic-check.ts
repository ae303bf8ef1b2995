/**
 * The topic as one more copy of the log: what it lacks, what it has that the
 * store does not, what it holds out of order or twice, and every message
 * whose bytes differ from the store's record. Pure: the messages and the
 * store's records go in, findings come out.
 */
import { recordDigest } from '../record.js';
import type { Finding } from '../findings.js';
import { parseMessage, type TopicMessage } from './cloudevent.js';

/**
 * Compares the messages of one log (offset order) with the store's records
 * (`stored.get(seq)` = owning bytes). `storeSize` is the store's log size;
 * `name` labels the findings (`kafka://BROKERS/TOPIC`).
 */
export function compareTopic(
  name: string,
  log: string,
  messages: readonly TopicMessage[],
  stored: ReadonlyMap<number, Uint8Array>,
  storeSize: number,
): Finding[] {
  const out: Finding[] = [];
  const add = (kind: Finding['kind'], seq: number, message: string): void => void out.push({ kind, seq, message, store: name });
  const firstAt = new Map<number, string>();
  let highest = -1;
  let highestOffset = '';
  for (const m of messages) {
    const p = parseMessage(m);
    if (!p.ok) {
      add('unparseable', p.seq ?? -1, `message at offset ${m.offset} is not a record of this stream: ${p.reason}`);
      continue;
    }
    if (p.log !== log) {
      add('wrong-log', p.seq, `message at offset ${m.offset} is keyed ${log} but its id names log ${JSON.stringify(p.log)}`);
      continue;
    }
    const seen = firstAt.get(p.seq);
    if (seen !== undefined) {
      add('duplicate', p.seq, `record ${p.seq} appears again at offset ${m.offset} (first at offset ${seen})`);
      continue;
    }
    firstAt.set(p.seq, m.offset);
    if (p.seq < highest) {
      add('misplaced', p.seq, `record ${p.seq} (offset ${m.offset}) comes after record ${highest} (offset ${highestOffset}): out of order`);
    } else {
      highest = p.seq;
      highestOffset = m.offset;
    }
    const mine = stored.get(p.seq);
    if (!mine) {
      add('store-mismatch', p.seq, `the topic has record ${p.seq} (offset ${m.offset}, ${p.digest}); the store has no record ${p.seq}`);
    } else if (!Buffer.from(mine).equals(p.bytes)) {
      add('store-mismatch', p.seq, `record ${p.seq} differs: the store has ${recordDigest(mine)}, the topic (offset ${m.offset}) has ${p.digest}`);
    } else if (p.statedDigest !== p.digest) {
      add('store-mismatch', p.seq, `message at offset ${m.offset} states ce_digest ${p.statedDigest}, but its value hashes to ${p.digest}`);
    }
  }
  for (let seq = 0; seq < storeSize; seq++) {
    if (stored.has(seq) && !firstAt.has(seq)) add('missing', seq, `record ${seq} is in the store but not in the topic`);
  }
  return out;
}
