import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendRecord } from '../../../src/audit/append.js';
import { logAndWitness } from './note-keys.js';
import { publishAfterAppend } from '../../../src/audit/tlog/append-tiles.js';
import { signTreeCheckpoint } from '../../../src/audit/tlog/note-io.js';
import { httpCosigner, type WitnessOutcome } from '../../../src/audit/tlog/witness-client.js';
import { startWitness } from '../../../src/audit/tlog/witness-server.js';
import { meetsQuorum, openCheckpoint } from '../../../src/audit/tlog/checkpoint-note.js';
import { MemoryStore } from '../memory-store.js';
import { tempDirs } from '../temp-dir.js';

const tempDir = tempDirs();
const LOG = 'acme/fraud-model';
const { logKey, logVkey, wKey, wVkey, logs } = logAndWitness(LOG);

async function grow(store: MemoryStore, n: number, tag: string) {
  for (let i = 0; i < n; i++) {
    const r = await appendRecord([store], { log: LOG, event_type: 'X', component: 't', actor: 'a', action: `${tag} ${i}` }, { retry: { sleep: async () => undefined } });
    await publishAfterAppend(store, r.seq);
  }
}

describe('model-gate witness over HTTP (C2SP tlog-witness add-checkpoint)', () => {
  it('cosigns checkpoints that extend the last one, refuses a rolled-back-and-refilled log, and keeps refusing after a restart', async () => {
    const dir = tempDir();
    const statePath = join(dir, 'state.json');
    let witness = await startWitness({ key: wKey, logs, statePath }, { host: '127.0.0.1', port: 0 });
    const outcomes: WitnessOutcome[] = [];
    const cosign = httpCosigner([{ url: witness.url }], (o) => outcomes.push(o));
    try {
      const store = new MemoryStore();
      await grow(store, 10, 'r');
      const first = await signTreeCheckpoint(store, logKey, 10, { cosign });
      await grow(store, 290, 'r');
      const second = await signTreeCheckpoint(store, logKey, 300, { cosign });
      for (const s of [first, second]) {
        const o = openCheckpoint(s.note, [logVkey], { witnesses: [wVkey] });
        expect(o.ok && meetsQuorum(o.checkpoint, [wVkey], 1).ok).toBe(true);
      }
      expect(JSON.parse(readFileSync(statePath, 'utf8')).logs[LOG].size).toBe(300);

      // The same key's log, rolled back to 100 records and refilled past 300.
      const forged = new MemoryStore();
      await grow(forged, 100, 'r');
      await grow(forged, 250, 'forged');
      outcomes.length = 0;
      const bad = await signTreeCheckpoint(forged, logKey, 350, { cosign });
      const o = openCheckpoint(bad.note, [logVkey], { witnesses: [wVkey] });
      expect(o.ok && o.checkpoint.cosignatures).toHaveLength(0);
      expect(outcomes).toEqual([expect.objectContaining({ ok: false, detail: expect.stringMatching(/^HTTP 422/) })]);

      await witness.close();
      witness = await startWitness({ key: wKey, logs, statePath }, { host: '127.0.0.1', port: 0 });
      outcomes.length = 0;
      const forged2 = new MemoryStore();
      await grow(forged2, 100, 'r');
      await grow(forged2, 260, 'forged');
      await signTreeCheckpoint(forged2, logKey, 360, { cosign: httpCosigner([{ url: witness.url }], (x) => outcomes.push(x)) });
      expect(outcomes).toEqual([expect.objectContaining({ ok: false, detail: expect.stringMatching(/^HTTP 422/) })]);
      expect(JSON.parse(readFileSync(statePath, 'utf8')).logs[LOG].size).toBe(300);
    } finally {
      await witness.close();
    }
  });

  it('a second witness process on the same state is refused; concurrent submissions never roll the state back', async () => {
    const dir = tempDir();
    const statePath = join(dir, 'state.json');
    const witness = await startWitness({ key: wKey, logs, statePath }, { host: '127.0.0.1', port: 0 });
    try {
      await expect(startWitness({ key: wKey, logs, statePath }, { host: '127.0.0.1', port: 0 })).rejects.toMatchObject({ code: 'E_CONFLICT' });
      const store = new MemoryStore();
      await grow(store, 40, 'r');
      const cosign = httpCosigner([{ url: witness.url }]);
      await signTreeCheckpoint(store, logKey, 10, { cosign });
      const sizes: number[] = [];
      const notes = await Promise.all([20, 30, 40].map((n) => signTreeCheckpoint(store, logKey, n, { cosign: httpCosigner([{ url: witness.url }]) })));
      for (const n of notes) {
        const o = openCheckpoint(n.note, [logVkey], { witnesses: [wVkey] });
        if (o.ok && o.checkpoint.cosignatures.length) sizes.push(n.size);
      }
      // Whatever got cosigned, the state holds the largest, and 40 (the newest) can always be cosigned.
      const held = JSON.parse(readFileSync(statePath, 'utf8')).logs[LOG].size;
      expect(held).toBe(Math.max(...sizes));
      expect(held).toBe(40);
    } finally {
      await witness.close();
    }
  });
});
