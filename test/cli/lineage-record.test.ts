import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, oneLiner, sha256sum, tempDirEach, writeTree } from '../lineage/helpers.js';

const env = { PATH: '/nonexistent', GITHUB_SHA: 'f'.repeat(40) };

describe('model-gate lineage record | verify | diff', () => {
  const tmp = tempDirEach();
  beforeEach(() => {
    writeTree(tmp.dir, {
      'model.onnx': 'onnx-bytes',
      'data/train/a.csv': 'f,y\n1,0\n',
      'data/train/b c.csv': 'f,y\n2,1\n',
      'data/test.csv': 'f,y\n3,1\n',
      'hp.json': '{"epochs": 3}',
    });
  });

  const run = (argv: string[]) => cli(argv, { cwd: tmp.dir, env });

  it('records, then verifies (exit 0), then reports a changed file (exit 1) with its path', async () => {
    let r = await run([
      'lineage', 'record', '--model', 'model.onnx',
      '--dataset', 'training=data/train', '--dataset', 'test:heldout=data/test.csv',
      '--hyperparameters', 'hp.json', '--metrics', '{"auc": 0.81}', '--statement', 'statement.json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${oneLiner(join(tmp.dir, 'data/train'))}  data/train (train, 2 rows)`);
    expect(r.stdout).toContain('wrote metadata.json and statement.json');
    const m = JSON.parse(readFileSync(join(tmp.dir, 'metadata.json'), 'utf8'));
    expect(m.hyperparameters).toEqual({ epochs: 3 });
    expect(m.metrics).toEqual({ auc: 0.81 });
    expect(m.datasets.map((d: { role: string; name: string }) => `${d.role}:${d.name}`)).toEqual(['training:train', 'test:heldout']);

    r = await run(['lineage', 'verify']);
    expect(r).toMatchObject({ code: 0, stdout: 'OK: every digest in metadata.json matches\n' });

    writeFileSync(join(tmp.dir, 'data/train/b c.csv'), 'f,y\n2,2\n');
    r = await run(['lineage', 'verify', 'metadata.json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`modified     dataset training:train data/train: file b c.csv expected `);
    expect(r.stdout).toContain(`actual ${sha256sum(join(tmp.dir, 'data/train/b c.csv'))}`);
    r = await run(['lineage', 'verify', '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(false);
    expect(out.mismatches.find((x: { file?: string }) => x.file === 'b c.csv')).toMatchObject({ change: 'modified' });
  });

  it('exit 2 for a missing or schema-invalid metadata file, naming the field', async () => {
    let r = await run(['lineage', 'verify', 'nope.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope.json: no such file or directory');
    await run(['lineage', 'record', '--model', 'model.onnx', '--no-python']);
    const m = JSON.parse(readFileSync(join(tmp.dir, 'metadata.json'), 'utf8'));
    m.model.digest = 'sha256:1234';
    writeFileSync(join(tmp.dir, 'metadata.json'), JSON.stringify(m));
    r = await run(['lineage', 'verify']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('metadata.json: /model/digest: must match pattern');
  });

  it('exit 2 for bad record input', async () => {
    for (const [argv, msg] of [
      [['--dataset', 'tuning=data/test.csv'], 'bad dataset "tuning=data/test.csv"'],
      [['--dataset', 'training'], 'bad dataset'],
      [['--hyperparameters', '{oops'], '--hyperparameters: not valid JSON'],
      [['--metrics', '[1]'], 'must be a JSON object'],
      [['--metrics', 'missing.json'], 'missing.json: no such file'],
      [['--dataset', 'training=nowhere'], 'nowhere: no such file'],
    ] as const) {
      const r = await run(['lineage', 'record', '--model', 'model.onnx', ...argv]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(msg);
    }
    expect((await run(['lineage', 'record'])).code).toBe(2); // --model is required
  });

  it('diff: exit 0 with or without differences, listing them; --json', async () => {
    await run(['lineage', 'record', '--model', 'model.onnx', '--dataset', 'training=data/train', '--out', 'a.json', '--hyperparameters', '{"lr":1}']);
    writeFileSync(join(tmp.dir, 'data/train/a.csv'), 'f,y\n9,9\n');
    await run(['lineage', 'record', '--model', 'model.onnx', '--dataset', 'training=data/train', '--out', 'b.json', '--hyperparameters', '{"lr":2}']);
    let r = await run(['lineage', 'diff', 'a.json', 'a.json']);
    expect(r).toMatchObject({ code: 0, stdout: 'no differences (created_at aside)\n' });
    r = await run(['lineage', 'diff', 'a.json', 'b.json']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('changed  /datasets/training:train/files/a.csv: sha256:');
    expect(r.stdout).toContain('changed  /hyperparameters/lr: 1 -> 2');
    r = await run(['lineage', 'diff', '--json', 'a.json', 'b.json']);
    expect(JSON.parse(r.stdout).same).toBe(false);
    expect((await run(['lineage', 'diff', 'a.json', 'nope.json'])).code).toBe(2);
  });
});
