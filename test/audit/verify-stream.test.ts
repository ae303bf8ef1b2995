/**
 * Item 9: verification streams (memory bounded by the read-ahead, measured in
 * bench/audit-file.mjs). The streaming reader feeds checkpoints and entries
 * to the verifier interleaved, in order; whatever the tampering, it must
 * report exactly what the verifier reports given everything at once.
 */
import fc from 'fast-check';
import { verifyChain } from '../../src/audit/chain-verify.js';
import { generateCheckpointKeyPair, loadSigningKey, loadVerifyKey, signCheckpoint } from '../../src/audit/checkpoint.js';
import { readChain } from '../../src/audit/read-chain.js';
import { recordDigest } from '../../src/audit/record.js';
import { checkpointKey, entryKey } from '../../src/audit/store.js';
import { verifyLog } from '../../src/audit/verify-log.js';
import { buildChain } from './chain-fixtures.js';
import { MemoryStore } from './memory-store.js';

const keysP = (async () => {
  const pair = await generateCheckpointKeyPair();
  return { signing: await loadSigningKey(JSON.stringify(pair.privateJwk), 't'), verify: await loadVerifyKey(JSON.stringify(pair.publicJwk), 't') };
})();

const tamper = fc.record({
  n: fc.integer({ min: 0, max: 30 }),
  checkpoints: fc.uniqueArray(fc.nat(), { maxLength: 6 }),
  edits: fc.array(fc.record({ op: fc.constantFrom('edit', 'delete', 'swap', 'garbage', 'drop-checkpoint'), at: fc.nat(), other: fc.nat() }), { maxLength: 4 }),
  concurrency: fc.integer({ min: 1, max: 5 }),
});

describe('streaming verification equals verification of the whole observation', () => {
  it('same findings, size, head and anchoring for any tampering, any read-ahead', async () => {
    const keys = await keysP;
    await fc.assert(
      fc.asyncProperty(tamper, async ({ n, checkpoints, edits, concurrency }) => {
        const chain = buildChain(n);
        const store = new MemoryStore();
        chain.forEach((b, seq) => store.objects.set(entryKey(seq), b));
        for (const c of checkpoints) {
          if (n === 0) break;
          const size = (c % n) + 1;
          const jws = await signCheckpoint({ log: 'default', size, head: recordDigest(chain[size - 1]), time: '2026-01-01T00:00:00.000Z' }, keys.signing);
          store.objects.set(checkpointKey(size), Buffer.from(jws));
        }
        for (const e of edits) {
          if (n === 0) break;
          const k = entryKey(e.at % n);
          const bytes = store.objects.get(k);
          if (e.op === 'delete') store.objects.delete(k);
          else if (e.op === 'garbage') store.objects.set(k, Buffer.from('{"v":1}'));
          else if (e.op === 'edit' && bytes) store.objects.set(k, Buffer.from(Buffer.from(bytes).toString().replace('event', 'EVENT')));
          else if (e.op === 'swap' && bytes) {
            const k2 = entryKey(e.other % n);
            const b2 = store.objects.get(k2);
            if (b2) {
              store.objects.set(k, b2);
              store.objects.set(k2, bytes);
            }
          } else if (e.op === 'drop-checkpoint') store.objects.delete(checkpointKey((e.at % n) + 1));
        }
        const whole = verifyChain(await readChain(store, { verifyKey: keys.verify }));
        const streamed = await verifyLog([store], { checkpointKey: keys.verify, concurrency });
        expect(streamed.findings).toEqual(whole.findings);
        expect({ size: streamed.size, head: streamed.head, status: streamed.status, anchored: streamed.anchored_size }).toEqual({
          size: whole.size,
          head: whole.head,
          status: whole.status,
          anchored: whole.anchored_size,
        });
      }),
      { numRuns: 150 },
    );
  });
});
