// The stream reads a tiled log from its entry bundles (256 records a read)
// and the tail from its entries, and never lets a bundle decide what is
// published: a bundle with an altered record, or rewritten as another valid
// chain from the same predecessor, is caught (a record fails its link, or the
// transaction's last record differs from its entry) and the entries are
// published instead.
import { ZERO_DIGEST } from '../../../src/core/digest.js';
import { encodeRecord, recordDigest, RECORD_VERSION, type AuditRecord } from '../../../src/audit/record.js';
import { entryKey } from '../../../src/audit/store.js';
import { streamLog } from '../../../src/audit/stream/stream-log.js';
import { decodeBundle, encodeBundle } from '../../../src/audit/tlog/bundle.js';
import { backfillTiles } from '../../../src/audit/tlog/tile-io.js';
import { tilePath } from '../../../src/audit/tlog/tile-path.js';
import { MemoryStore } from '../memory-store.js';
import { MemoryTopic } from './memory-topic.js';

const LOG = 'acme/credit-risk';

const chains = new Map<number, Buffer[]>();
/** The log's first n records (the same array for the same n). */
function log(n: number): Buffer[] {
  if (!chains.has(n)) chains.set(n, chain(n));
  return chains.get(n)!;
}

function chain(n: number, from = 0, prev: string = ZERO_DIGEST, action = (seq: number) => `approved release ${seq}`): Buffer[] {
  const out: Buffer[] = [];
  for (let seq = from; seq < from + n; seq++) {
    const r: AuditRecord = {
      v: RECORD_VERSION, log: LOG, seq, prev: prev as AuditRecord['prev'], time: new Date(1_767_225_600_000 + seq * 1000).toISOString(),
      event_type: 'model.release.approved', component: 'app', actor: 'alice', action: action(seq), subject: [], details: {}, compliance_tags: [],
    };
    const bytes = encodeRecord(r);
    out.push(bytes);
    prev = recordDigest(bytes);
  }
  return out;
}

/** A store counting its reads of entries and of bundles. */
class CountingStore extends MemoryStore {
  entryReads = 0;
  bundleReads = 0;
  override async read(key: string): Promise<Uint8Array | null> {
    if (key.startsWith('entries/')) this.entryReads++;
    if (key.startsWith('tile/entries/')) this.bundleReads++;
    return super.read(key);
  }
}

/** Tiled stores by length, built once (backfilling is the slow part) and copied for each test. */
const built = new Map<number, Map<string, Uint8Array>>();
async function tiledStore(records: Buffer[]): Promise<CountingStore> {
  let objects = built.get(records.length);
  if (!objects) {
    const first = new MemoryStore();
    records.forEach((b, seq) => first.objects.set(entryKey(seq), b));
    await backfillTiles(first, records.length);
    objects = first.objects;
    built.set(records.length, objects);
  }
  const store = new CountingStore();
  for (const [k, v] of objects) store.objects.set(k, v);
  return store;
}

const bundleKey = (n: number): string => tilePath({ level: 'entries', n, width: 256 });
/** The topic's values and a log's records as text, which jest compares quickly (Buffers it walks byte by byte). */
const published = (t: MemoryTopic): string[] => t.log.map((m) => Buffer.from(m.value!).toString('utf8'));
const texts = (records: Buffer[]): string[] => records.map((b) => b.toString('utf8'));

describe('streaming a tiled log from its bundles', () => {
  test('1,000 records: 3 bundle reads and the 232 tail entries (plus the tail check), not an entry read per record; same bytes, same order', async () => {
    const records = log(1000);
    const store = await tiledStore(records);
    const topic = new MemoryTopic();
    const r = await streamLog(store, topic);
    expect(r.published).toBe(1000);
    expect(published(topic)).toEqual(texts(records));
    expect(store.bundleReads).toBe(3);
    expect(store.entryReads).toBeLessThanOrEqual(232 + 1);
  });

  test('transactions ending inside a bundle compare their last record with its entry: one more read per transaction', async () => {
    const records = log(1000);
    const store = await tiledStore(records);
    const topic = new MemoryTopic();
    await streamLog(store, topic, { batchRecords: 300 });
    expect(published(topic)).toEqual(texts(records));
    // Four transactions (300, 300, 300, 100): the first three end on bundled records.
    expect(store.entryReads).toBeLessThanOrEqual(232 + 3 + 1);
    expect(store.bundleReads).toBeLessThanOrEqual(3 + 3); // a bundle spanning two transactions is read by both
  });

  test('a resumed stream reads only the bundles after the topic\'s last record', async () => {
    const records = log(1000);
    const store = await tiledStore(records);
    const topic = new MemoryTopic();
    await streamLog(store, topic, { batchRecords: 600 });
    topic.log.splice(600); // as if the second transaction never happened
    store.bundleReads = 0;
    const r = await streamLog(store, topic);
    expect(r.resumedAfter).toBe(599);
    expect(published(topic)).toEqual(texts(records));
    expect(store.bundleReads).toBe(1); // bundle 2 (512..767); 0 and 1 hold nothing after 599
  });

  test('a bundle record altered (it no longer links to the next) is not published: the entries are', async () => {
    const records = log(1000);
    const store = await tiledStore(records);
    const b = decodeBundle(store.objects.get(bundleKey(1))!, 256);
    if (!b.ok) throw new Error(b.reason);
    const forged = [...b.records];
    forged[10] = chain(1, 266, recordDigest(records[265]), () => 'approved something else')[0];
    store.objects.set(bundleKey(1), encodeBundle(forged));
    const topic = new MemoryTopic();
    await streamLog(store, topic);
    expect(published(topic)).toEqual(texts(records));
  });

  test('a bundle rewritten as another valid chain from the same predecessor is not published: its last record differs from its entry', async () => {
    const records = log(1000);
    const store = await tiledStore(records);
    // Records 256..511 forged as a chain of their own that links to the real record 255.
    const forged = chain(256, 256, recordDigest(records[255]), (seq) => `forged ${seq}`);
    store.objects.set(bundleKey(1), encodeBundle(forged));
    for (const batchRecords of [256, 2000]) {
      const topic = new MemoryTopic();
      await streamLog(store, topic, { batchRecords });
      expect(published(topic)).toEqual(texts(records));
    }
  });

  test('a malformed bundle is left to the entries', async () => {
    const records = log(600);
    const store = await tiledStore(records);
    store.objects.set(bundleKey(0), Buffer.from('not a bundle'));
    const topic = new MemoryTopic();
    await streamLog(store, topic);
    expect(published(topic)).toEqual(texts(records));
  });

  test('a log without tiles streams from its entries as before', async () => {
    const records = log(600);
    const store = new CountingStore();
    records.forEach((b, seq) => store.objects.set(entryKey(seq), b));
    const topic = new MemoryTopic();
    await streamLog(store, topic);
    expect(published(topic)).toEqual(texts(records));
    expect(store.entryReads).toBe(600 + 1); // and record 0 once more, for the log's name
  });

  test('a broken chain in the entries still stops the stream where the entries break, bundles or not', async () => {
    const records = log(600);
    const store = await tiledStore(records);
    // Entry 550 (in the tail: no bundle covers it) replaced by a record that does not link.
    store.objects.set(entryKey(550), chain(1, 550, ZERO_DIGEST)[0]);
    const topic = new MemoryTopic();
    await expect(streamLog(store, topic)).rejects.toMatchObject({ code: 'E_CHAIN_BROKEN' });
    expect(published(topic)).toEqual(texts(records.slice(0, 550)));
  });

  test('an entry edited after it was bundled: the topic gets the record the entries after it link to (the bundle\'s), not the edit', async () => {
    const records = log(600);
    const store = await tiledStore(records);
    store.objects.set(entryKey(400), chain(1, 400, recordDigest(records[399]), () => 'edited')[0]);
    const topic = new MemoryTopic();
    await streamLog(store, topic);
    expect(published(topic)).toEqual(texts(records));
  });
});
