import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { shardedDigest, shardRanges } from '../../src/core/shard-digest.js';
import { hashPath } from '../../src/lineage/hash-path.js';
import { recordLineage } from '../../src/lineage/record.js';
import { verifyLineage } from '../../src/lineage/verify.js';
import { cli, tempDirEach, writeTree } from './helpers.js';

const ENV = { PATH: '/nonexistent' };

describe('lineage record --shards: the model file\'s sharded digest in metadata.json, re-checked by verify', () => {
  const tmp = tempDirEach();
  beforeEach(() => {
    writeTree(tmp.dir, { 'models/model.bin': 'This is a simple model', 'data/train.csv': 'x\n1\n' });
  });

  const record = (shards: boolean) =>
    recordLineage({ cwd: tmp.dir, env: ENV, git: false, sourceOverrides: { repository: 'acme/m', commit: 'a'.repeat(40) }, model: 'models/model.bin', datasets: [{ role: 'training', path: 'data/train.csv' }], shards });
  const metadataFile = () => join(tmp.dir, 'models', 'metadata.json');
  const edit = (fn: (m: any) => void) => {
    const m = JSON.parse(readFileSync(metadataFile(), 'utf8'));
    fn(m);
    writeFileSync(metadataFile(), JSON.stringify(m, null, 2));
  };

  it('records the same sharded digest `hash --shards` prints, beside the plain digest, and verify passes', async () => {
    const r = await record(true);
    const hashed = await hashPath(join(tmp.dir, 'models/model.bin'), { shards: true });
    expect(r.metadata.model.digest).toBe(hashed.digest);
    expect(r.metadata.model.shards).toEqual(hashed.shards);
    expect((await verifyLineage(metadataFile(), { cwd: tmp.dir })).ok).toBe(true);
    const viaCli = await cli(['lineage', 'record', '--model', 'models/model.bin', '--shards', '--no-git', '--source-repository', 'acme/m', '--source-commit', 'a'.repeat(40), '--out', 'cli.json', '--json'], { cwd: tmp.dir });
    expect(viaCli.code).toBe(0);
    expect(JSON.parse(readFileSync(join(tmp.dir, 'cli.json'), 'utf8')).model.shards).toEqual(hashed.shards);
  });

  it('without --shards there is no sharded digest', async () => {
    const r = await record(false);
    expect(r.metadata.model).not.toHaveProperty('shards');
  });

  it('an edited shard digest is inconsistent with the record (exit 1 in the CLI)', async () => {
    await record(true);
    edit((m) => (m.model.shards.resources[0].digest = 'f'.repeat(64)));
    const v = await verifyLineage(metadataFile(), { cwd: tmp.dir });
    expect(v.ok).toBe(false);
    expect(v.mismatches).toEqual([expect.objectContaining({ subject: 'metadata', change: 'inconsistent', path: 'models/model.bin' })]);
    expect((await cli(['lineage', 'verify', 'models/metadata.json'], { cwd: tmp.dir })).code).toBe(1);
  });

  it('a self-consistent sharded digest of other bytes is a modified model, recomputed at its own shard size', async () => {
    await record(true);
    const other = Buffer.from('This is a forged model');
    const forged = shardedDigest(
      shardRanges(other.length, 4).map(([s, e]) => createHash('sha256').update(other.subarray(s, e)).digest()),
      other.length,
      { shardSize: 4 },
    );
    edit((m) => (m.model.shards = forged));
    const v = await verifyLineage(metadataFile(), { cwd: tmp.dir });
    expect(v.mismatches).toEqual([
      expect.objectContaining({ subject: 'model', change: 'modified', expected: forged.digest, detail: 'the sharded digest differs' }),
    ]);
    // The same file, truthfully sharded at 4 bytes, passes: verify used the record's shard size.
    const bytes = readFileSync(join(tmp.dir, 'models/model.bin'));
    edit((m) => (m.model.shards = shardedDigest(shardRanges(bytes.length, 4).map(([s, e]) => createHash('sha256').update(bytes.subarray(s, e)).digest()), bytes.length, { shardSize: 4 })));
    expect((await verifyLineage(metadataFile(), { cwd: tmp.dir })).ok).toBe(true);
  });
});
