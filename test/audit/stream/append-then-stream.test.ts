// appendAndCheckpoint with a streamer (the one path the CLI, the Action and
// the App append through): the stream step runs after the records and the
// checkpoint are stored, sees the stored log, and its failure is an outcome,
// never an error of the append.
import { appendAndCheckpoint } from '../../../src/audit/append-checkpoint.js';
import { generateCheckpointKeyPair, loadSigningKey } from '../../../src/audit/checkpoint.js';
import { entryKey, type AuditStore } from '../../../src/audit/store.js';
import type { AppendStreamer, StreamOutcome } from '../../../src/audit/stream/after-append.js';
import { MemoryStore } from '../memory-store.js';

function streamer(outcome: (store: AuditStore) => Promise<StreamOutcome>): AppendStreamer & { seen: string[][] } {
  const seen: string[][] = [];
  return {
    topic: 'kafka://memory/t',
    seen,
    async afterAppend(store) {
      seen.push([...(await store.list('entries')), ...(await store.list('checkpoints'))]);
      return outcome(store);
    },
  };
}

describe('append, then stream (appendAndCheckpoint with streamTo)', () => {
  it('streams after the records and their checkpoint are stored, from the first store', async () => {
    const a = new MemoryStore('memory://a');
    const b = new MemoryStore('memory://b');
    const { privateJwk } = await generateCheckpointKeyPair('EdDSA');
    const signingKey = await loadSigningKey(JSON.stringify(privateJwk), 'test');
    const s = streamer(async () => ({ ok: true, topic: 'kafka://memory/t', last: 1, published: 2 }));
    const r = await appendAndCheckpoint([a, b], [
      { log: 'acme/m', event_type: 'E', component: 'c', actor: 'x', action: 'one' },
      { event_type: 'E', component: 'c', actor: 'x', action: 'two' },
    ], { signingKey, streamTo: s });
    expect(r.records.map((x) => x.seq)).toEqual([0, 1]);
    expect(r.stream).toEqual({ ok: true, topic: 'kafka://memory/t', last: 1, published: 2 });
    expect(s.seen).toHaveLength(1);
    expect(s.seen[0]).toEqual(expect.arrayContaining([entryKey(0), entryKey(1), 'checkpoints/00000000000000000002.jws']));
  });

  it('a failing stream step is reported in the result; the append stands', async () => {
    const a = new MemoryStore('memory://a');
    const s = streamer(async () => ({ ok: false, topic: 'kafka://memory/t', error: 'Kafka did not take the log within 10 s' }));
    const r = await appendAndCheckpoint([a], [{ event_type: 'E', component: 'c', actor: 'x', action: 'one' }], { streamTo: s });
    expect(r.records[0].seq).toBe(0);
    expect(r.stream).toMatchObject({ ok: false, error: expect.stringMatching(/within 10 s/) });
    expect(await a.read(entryKey(0))).not.toBeNull();
  });

  it('without records nothing is streamed', async () => {
    const s = streamer(async () => ({ ok: true, topic: 't', last: -1, published: 0 }));
    const r = await appendAndCheckpoint([new MemoryStore()], [], { streamTo: s });
    expect(r.stream).toBeUndefined();
    expect(s.seen).toEqual([]);
  });
});
