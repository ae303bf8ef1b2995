import { join } from 'node:path';
import { appendRecord } from '../../src/audit/append.js';
import { verifyLog } from '../../src/audit/verify-log.js';
import { parseRecord, recordDigest } from '../../src/audit/record.js';
import { entryKey, type AuditStore, type CreateResult } from '../../src/audit/store.js';
import { FileStore } from '../../src/audit/stores/file-store.js';
import { GateError } from '../../src/core/errors.js';
import { tempDirs } from './temp-dir.js';

const tmp = tempDirs();
const input = { event_type: 'model.release', component: 'test', actor: 'alice', action: 'released' };
const fast = { retry: { sleep: async () => undefined } };

/** A real file store whose create() can be made to misbehave the way a network store does. */
class FaultyStore extends FileStore {
  beforeCreate?: (key: string) => Promise<void>;
  afterCreate?: (key: string, r: CreateResult) => Promise<void>;
  creates: string[] = [];
  override async create(key: string, bytes: Uint8Array): Promise<CreateResult> {
    this.creates.push(key);
    await this.beforeCreate?.(key);
    const r = await super.create(key, bytes);
    await this.afterCreate?.(key, r);
    return r;
  }
}

async function records(store: AuditStore): Promise<number[]> {
  return (await store.list('entries')).map((k) => Number(k.slice(8, 28)));
}

describe('appendRecord', () => {
  it('chains records: seq counts up, prev is the previous digest, the log name stays', async () => {
    const store = new FileStore(join(tmp(), 'log'));
    const a = await appendRecord([store], { ...input, log: 'org/repo' });
    const b = await appendRecord([store], input);
    expect([a.seq, b.seq]).toEqual([0, 1]);
    const rec = parseRecord((await store.read(entryKey(1))) as Uint8Array);
    expect(rec.ok && rec.record.prev).toBe(a.digest);
    expect(rec.ok && rec.record.log).toBe('org/repo');
    expect(b.digest).toBe(recordDigest((await store.read(entryKey(1))) as Uint8Array));
    await expect(appendRecord([store], { ...input, log: 'another' })).rejects.toMatchObject({ code: 'E_INPUT' });
  });

  it('after a lost response, the retry re-sends the same bytes and succeeds once', async () => {
    const store = new FaultyStore(join(tmp(), 'log'));
    let lost = false;
    store.afterCreate = async () => {
      if (!lost) {
        lost = true;
        throw new GateError('E_SERVICE', 'connection reset after the write');
      }
    };
    const r = await appendRecord([store], input, fast);
    expect(r.seq).toBe(0);
    expect(store.creates).toEqual([entryKey(0), entryKey(0)]);
    expect(await records(store)).toEqual([0]);
    expect((await verifyLog([store])).ok).toBe(true);
  });

  it('after losing a race, builds a new record on top of the winner', async () => {
    const dir = join(tmp(), 'log');
    const store = new FaultyStore(dir);
    const rival = new FileStore(dir);
    store.beforeCreate = async (key) => {
      if (key === entryKey(1)) await appendRecord([rival], { ...input, actor: 'bob' });
    };
    await appendRecord([new FileStore(dir)], input);
    const r = await appendRecord([store], input, fast);
    expect(r.seq).toBe(2);
    const rec = parseRecord((await store.read(entryKey(2))) as Uint8Array);
    expect(rec.ok && rec.record.prev).toBe(recordDigest((await store.read(entryKey(1))) as Uint8Array));
    expect((await verifyLog([store])).ok).toBe(true);
  });

  it('gives up with E_CONFLICT after too many lost races, writing nothing of its own', async () => {
    const dir = join(tmp(), 'log');
    const store = new FaultyStore(dir);
    const rival = new FileStore(dir);
    store.beforeCreate = async () => void (await appendRecord([rival], { ...input, actor: 'bob' }));
    const err = await appendRecord([store], input, { retry: { sleep: async () => undefined, maxConflicts: 3 } }).catch((e) => e);
    expect(err).toMatchObject({ code: 'E_CONFLICT' });
    expect((err as GateError).exitCode).toBe(3);
    expect(await records(store)).toEqual([0, 1, 2]);
  });

  it('retries transient store errors (retryable flag) and fails with exit 3 when the store stays down', async () => {
    const store = new FaultyStore(join(tmp(), 'log'));
    let failures = 2;
    store.beforeCreate = async () => {
      if (failures-- > 0) throw Object.assign(new Error('503 Slow Down'), { retryable: true });
    };
    expect((await appendRecord([store], input, fast)).seq).toBe(0);
    store.beforeCreate = async () => {
      throw new GateError('E_S3', 'connect ECONNREFUSED');
    };
    const err = await appendRecord([store], input, fast).catch((e) => e);
    expect(err).toMatchObject({ code: 'E_SERVICE' });
    expect((err as GateError).exitCode).toBe(3);
    expect((err as GateError).message).toMatch(/6 times.*ECONNREFUSED/);
    expect(await records(store)).toEqual([0]);
  });

  it('does not retry errors that are not transient', async () => {
    const store = new FaultyStore(join(tmp(), 'log'));
    store.beforeCreate = async () => {
      throw new GateError('E_S3_NOT_LOCKED', 'no Object Lock');
    };
    await expect(appendRecord([store], input, fast)).rejects.toMatchObject({ code: 'E_S3_NOT_LOCKED' });
    expect(store.creates).toHaveLength(1);
  });

  it('writes the same bytes at the same seq to every store, and fills a secondary that fell behind', async () => {
    const a = new FileStore(join(tmp(), 'a'));
    const b = new FaultyStore(join(tmp(), 'b'));
    await appendRecord([a, b], input);
    let down = true;
    b.beforeCreate = async () => {
      if (down) throw new GateError('E_SERVICE', 'disk gone');
    };
    await expect(appendRecord([a, b], input, fast)).rejects.toMatchObject({ code: 'E_SERVICE' });
    expect(await records(a)).toEqual([0, 1]);
    expect(await records(b)).toEqual([0]);
    down = false;
    const r = await appendRecord([a, b], input, fast);
    expect(r.seq).toBe(2);
    expect(await records(b)).toEqual([0, 1, 2]);
    const v = await verifyLog([a, b]);
    expect(v.findings).toEqual([]);
    expect(v.size).toBe(3);
  });

  it('refuses oversized details before writing anything', async () => {
    const store = new FileStore(join(tmp(), 'log'));
    await expect(appendRecord([store], { ...input, details: { blob: 'x'.repeat(70_000) } })).rejects.toMatchObject({
      code: 'E_RECORD_TOO_LARGE',
    });
    expect(await records(store)).toEqual([]);
  });
});
