import { appendRecord } from '../../src/audit/append.js';
import { generateCheckpointKeyPair, loadSigningKey, loadVerifyKey } from '../../src/audit/checkpoint.js';
import { writeCheckpoint } from '../../src/audit/checkpoint-write.js';
import { verifyLog } from '../../src/audit/verify-log.js';
import { entryKey } from '../../src/audit/store.js';
import { MemoryStore } from './memory-store.js';

const input = { event_type: 'e', component: 'c', actor: 'a', action: 'x' };

async function keys() {
  const pair = await generateCheckpointKeyPair();
  return {
    signing: await loadSigningKey(JSON.stringify(pair.privateJwk), 'test'),
    verify: await loadVerifyKey(JSON.stringify(pair.publicJwk), 'test'),
  };
}

describe('verifyLog from a checkpoint', () => {
  it('lists and reads only records after the trusted checkpoint when the store can list from a key', async () => {
    const store = new MemoryStore();
    const k = await keys();
    for (let i = 0; i < 10; i++) await appendRecord([store], input);
    await writeCheckpoint(store, k.signing);
    for (let i = 0; i < 3; i++) await appendRecord([store], input);
    store.listedAfter = [];
    const r = await verifyLog([store], { checkpointKey: k.verify, fromCheckpoint: true });
    expect(r).toMatchObject({ ok: true, size: 13, from: 9 });
    expect(store.listedAfter).toEqual([9, 10, 11, 12].map(entryKey));
  });

  it('falls back to the full listing to report the real size of a truncated log', async () => {
    const store = new MemoryStore();
    const k = await keys();
    for (let i = 0; i < 5; i++) await appendRecord([store], input);
    await writeCheckpoint(store, k.signing);
    store.objects.delete(entryKey(4));
    store.objects.delete(entryKey(3));
    const r = await verifyLog([store], { checkpointKey: k.verify, fromCheckpoint: true });
    expect(r.findings.map((f) => `${f.kind}@${f.seq}`)).toEqual(['truncated@3']);
    expect(r.size).toBe(3);
  });

  it('needs the public key to start from a checkpoint', async () => {
    await expect(verifyLog([new MemoryStore()], { fromCheckpoint: true })).rejects.toMatchObject({ code: 'E_USAGE' });
  });
});
