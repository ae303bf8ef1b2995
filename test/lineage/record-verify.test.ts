import { appendFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordLineage } from '../../src/lineage/record.js';
import { verifyLineage } from '../../src/lineage/verify.js';
import { validateMetadata } from '../../src/lineage/metadata-validate.js';
import { reproducibilityDigest } from '../../src/lineage/reproducibility.js';
import { githubActionsSource } from '../../src/lineage/source.js';
import { oneLiner, sha256sum, tempDir, tempDirEach, writeTree } from './helpers.js';

const ENV = {
  PATH: '/nonexistent', // no python3: environment.python stays absent
  GITHUB_REPOSITORY: 'acme/fraud-model',
  GITHUB_SHA: 'c0ffee'.padEnd(40, '0'),
  GITHUB_WORKFLOW: 'release',
  GITHUB_RUN_ID: '1234',
};

describe('recordLineage and verifyLineage', () => {
  const tmp = tempDirEach();
  beforeEach(() => {
    writeTree(tmp.dir, {
      'models/model.bin': 'weights-v1',
      'data/train/part-1.csv': 'x,label\n1,a\n2,"b\nc"\n',
      'data/train/sub dir/part-2.csv': 'x,label\n3,d\n',
      'data/val.jsonl': '{"x":1}\n{"x":2}\n',
      'uv.lock': 'locked',
      'requirements-dev.txt': 'pytest==8',
      'README.md': 'not a lockfile',
    });
  });

  const record = (extra: Partial<Parameters<typeof recordLineage>[0]> = {}) =>
    recordLineage({
      cwd: tmp.dir,
      env: ENV,
      ciSource: githubActionsSource(ENV),
      model: 'models/model.bin',
      datasets: [
        { role: 'training', path: 'data/train' },
        { role: 'validation', path: 'data/val.jsonl', name: 'holdout' },
      ],
      hyperparameters: { lr: 0.01 },
      metrics: { accuracy: 0.9 },
      now: () => new Date('2026-03-04T05:06:07Z'),
      ...extra,
    });

  it('writes a schema-valid metadata.json beside the model, with relative paths', async () => {
    const r = await record({ statement: 'out/statement.json'.replace('out/', '') });
    expect(r.metadataPath).toBe(join(tmp.dir, 'models', 'metadata.json'));
    const m = validateMetadata(JSON.parse(readFileSync(r.metadataPath, 'utf8')));
    expect(m).toEqual(r.metadata);
    expect(m.model).toEqual({ path: 'models/model.bin', type: 'file', digest: sha256sum(join(tmp.dir, 'models/model.bin')), size: 10 });
    const [train, val] = m.datasets;
    expect(train).toMatchObject({ name: 'train', role: 'training', path: 'data/train', type: 'directory', digest: oneLiner(join(tmp.dir, 'data/train')), rows: 3 });
    expect(train!.files!.map((f) => f.path)).toEqual(['part-1.csv', 'sub dir/part-2.csv']);
    expect(train!.columns).toEqual([{ name: 'x', type: 'number' }, { name: 'label', type: 'string' }]);
    expect(val).toMatchObject({ name: 'holdout', role: 'validation', type: 'file', rows: 2, columns: [{ name: 'x', type: 'number' }] });
    expect(m.source).toEqual({ repository: 'acme/fraud-model', commit: ENV.GITHUB_SHA, workflow: 'release', run_id: '1234' });
    expect(m.environment.lockfiles).toEqual([
      { path: 'requirements-dev.txt', digest: sha256sum(join(tmp.dir, 'requirements-dev.txt')) },
      { path: 'uv.lock', digest: sha256sum(join(tmp.dir, 'uv.lock')) },
    ]);
    expect(m.environment.python).toBeUndefined();
    expect(m.environment.node).toBe(process.version);
    expect(m.created_at).toBe('2026-03-04T05:06:07.000Z');
    expect(m.reproducibility_digest).toBe(reproducibilityDigest(m));
    expect(r.totalBytes).toBe(m.model.size + train!.size + val!.size);
    const st = JSON.parse(readFileSync(join(tmp.dir, 'statement.json'), 'utf8'));
    expect(st.subject).toEqual([{ name: 'models/model.bin', digest: { sha256: m.model.digest.slice(7) } }]);
    expect(st.predicate).toEqual(m);
    // Atomic write: no temporary file is left behind.
    expect(readdirSync(join(tmp.dir, 'models')).sort()).toEqual(['metadata.json', 'model.bin']);
  });

  it('refuses two datasets of one role with the same name', async () => {
    writeTree(tmp.dir, { 'other/train': 'x' });
    await expect(
      record({ datasets: [{ role: 'training', path: 'data/train' }, { role: 'training', path: 'other/train' }] }),
    ).rejects.toThrow(/both named "train"/);
  });

  it('refuses to write metadata.json or the statement inside a hashed directory', async () => {
    await expect(record({ out: 'data/train/metadata.json' })).rejects.toThrow(
      'output data/train/metadata.json is inside dataset train (data/train), whose digest it would change',
    );
    await expect(record({ model: 'data/train', datasets: [], statement: 'data/train/s.json', out: 'm.json' })).rejects.toThrow(/inside the model/);
    expect(readdirSync(join(tmp.dir, 'data/train')).sort()).toEqual(['part-1.csv', 'sub dir']);
  });

  it('verifies an untouched tree', async () => {
    const r = await record({ out: 'lineage.json' });
    expect(r.metadataPath).toBe(join(tmp.dir, 'lineage.json'));
    expect(await verifyLineage('lineage.json', { cwd: tmp.dir })).toEqual({ ok: true, mismatches: [] });
  });

  it('catches a one-byte change, a removed file and an added file, naming each file', async () => {
    await record({ out: 'lineage.json' });
    const f = join(tmp.dir, 'data/train/part-1.csv');
    const bytes = readFileSync(f);
    bytes[0] = bytes[0]! ^ 1;
    writeFileSync(f, bytes);
    rmSync(join(tmp.dir, 'data/train/sub dir/part-2.csv'));
    writeTree(tmp.dir, { 'data/train/extra.csv': 'x\n' });
    const r = await verifyLineage('lineage.json', { cwd: tmp.dir });
    expect(r.ok).toBe(false);
    const files = r.mismatches.filter((m) => m.file !== undefined);
    expect(files).toEqual([
      expect.objectContaining({ subject: 'dataset', name: 'train', path: 'data/train', file: 'extra.csv', change: 'added', actual: sha256sum(join(tmp.dir, 'data/train/extra.csv')) }),
      expect.objectContaining({ file: 'part-1.csv', change: 'modified', actual: sha256sum(f) }),
      expect.objectContaining({ file: 'sub dir/part-2.csv', change: 'removed' }),
    ]);
    expect(r.mismatches.filter((m) => m.file === undefined)).toEqual([
      expect.objectContaining({ subject: 'dataset', path: 'data/train', change: 'modified' }),
    ]);
  });

  it('catches a changed model, a missing dataset, and a metadata.json edited by hand', async () => {
    await record({ out: 'lineage.json' });
    appendFileSync(join(tmp.dir, 'models/model.bin'), '!');
    rmSync(join(tmp.dir, 'data/val.jsonl'));
    const m = JSON.parse(readFileSync(join(tmp.dir, 'lineage.json'), 'utf8'));
    m.hyperparameters.lr = 0.5; // the reproducibility digest no longer matches
    writeFileSync(join(tmp.dir, 'lineage.json'), JSON.stringify(m));
    const r = await verifyLineage('lineage.json', { cwd: tmp.dir });
    expect(r.mismatches.map((x) => [x.subject, x.change, x.path])).toEqual([
      ['metadata', 'inconsistent', 'reproducibility_digest'],
      ['model', 'modified', 'models/model.bin'],
      ['dataset', 'missing', 'data/val.jsonl'],
    ]);
  });

  it('resolves recorded paths against --root', async () => {
    await record({ out: 'lineage.json' });
    const { dir: other, cleanup: c2 } = tempDir();
    try {
      expect((await verifyLineage(join(tmp.dir, 'lineage.json'), { cwd: other, root: tmp.dir })).ok).toBe(true);
      expect((await verifyLineage(join(tmp.dir, 'lineage.json'), { cwd: other })).ok).toBe(false);
    } finally {
      c2();
    }
  });
});
