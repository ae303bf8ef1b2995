import { execFileSync } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cli, tempDirEach, writeTree } from '../lineage/helpers.js';

const env = { PATH: '/nonexistent' };

/** Every file under root with its bytes: what "nothing written, nothing overwritten" is checked against. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isSymbolicLink()) out[relative(root, p)] = '-> link';
      else out[relative(root, p)] = readFileSync(p, 'base64');
    }
  };
  walk(root);
  return out;
}

describe('lineage record refuses an output that would destroy or change an input (issue 11 item 11)', () => {
  const tmp = tempDirEach();
  beforeEach(() => {
    writeTree(tmp.dir, {
      'model.bin': 'weights',
      'models/m2/w.bin': 'dir-model',
      'data/train/a.csv': 'x\n1\n',
      'data/val.jsonl': '{"x":1}\n',
      'hp.json': '{"lr":1}',
      'metrics.json': '{"auc":0.8}',
      'uv.lock': 'lock',
      'env/pip-freeze.txt': 'numpy==2.1.0\n',
    });
    symlinkSync(join(tmp.dir, 'data/train'), join(tmp.dir, 'trainlink'));
    symlinkSync(join(tmp.dir, 'model.bin'), join(tmp.dir, 'modellink'));
  });

  const base = ['lineage', 'record', '--model', 'model.bin', '--dataset', 'training=data/train', '--dataset', 'validation=data/val.jsonl'];

  const attacks: [string, string[], RegExp][] = [
    ['--out equal to the model file', ['--out', 'model.bin'], /output model\.bin is the model \(model\.bin\)/],
    ['--out equal to the model through ./ and ..', ['--out', 'data/../model.bin'], /output model\.bin is the model/],
    ['--out equal to a dataset file', ['--out', 'data/val.jsonl'], /output data\/val\.jsonl is dataset val \(data\/val\.jsonl\)/],
    ['--out equal to a dataset directory', ['--out', 'data/train'], /output data\/train is dataset train/],
    ['--out named ..md.json inside a dataset directory', ['--out', 'data/train/..md.json'], /output data\/train\/\.\.md\.json is inside dataset train \(data\/train\)/],
    ['--out inside a dataset directory reached through a symlink', ['--out', 'trainlink/m.json'], /output trainlink\/m\.json is inside dataset train \(data\/train\)/],
    ['--out a symlink to the model', ['--out', 'modellink'], /output modellink is the model/],
    ['--statement equal to the model', ['--statement', 'model.bin'], /output model\.bin is the model/],
    ['--out and --statement the same file', ['--out', 'x.json', '--statement', 'x.json'], /--out and --statement are the same file x\.json/],
    ['--out and --statement the same file under two spellings', ['--out', 'x.json', '--statement', './data/../x.json'], /--out and --statement are the same file/],
    ['--out equal to the hyperparameters file', ['--hyperparameters', 'hp.json', '--out', 'hp.json'], /output hp\.json is the hyperparameters file \(hp\.json\)/],
    ['--statement equal to the metrics file', ['--metrics', 'metrics.json', '--statement', 'metrics.json'], /output metrics\.json is the metrics file/],
    ['--out equal to a lockfile found beside the model', ['--out', 'uv.lock'], /output uv\.lock is environment file uv\.lock/],
  ];

  it.each(attacks)('%s: exit 2, nothing written, every input intact', async (_name, argv, message) => {
    const before = snapshot(tmp.dir);
    const r = await cli([...base, ...argv], { cwd: tmp.dir, env });
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
    expect(snapshot(tmp.dir)).toEqual(before);
  });

  it('--out inside a directory model is refused', async () => {
    const before = snapshot(tmp.dir);
    const r = await cli(['lineage', 'record', '--model', 'models/m2', '--out', 'models/m2/metadata.json'], { cwd: tmp.dir, env });
    expect(r.stderr).toMatch(/output models\/m2\/metadata\.json is inside the model \(models\/m2\)/);
    expect(r.code).toBe(2);
    expect(snapshot(tmp.dir)).toEqual(before);
  });

  it('an existing FIFO (or any file that is not a regular file) at --out is refused, not replaced', async () => {
    execFileSync('mkfifo', [join(tmp.dir, 'pipe')]);
    const r = await cli([...base, '--out', 'pipe'], { cwd: tmp.dir, env });
    expect(r.stderr).toMatch(/output pipe exists and is a FIFO: only a regular file is replaced/);
    expect(r.code).toBe(2);
    expect(lstatSync(join(tmp.dir, 'pipe')).isFIFO()).toBe(true);
    expect(readdirSync(tmp.dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('a name that merely starts with the dataset directory\'s name is not inside it', async () => {
    const r = await cli([...base, '--out', 'data/train-metadata.json', '--statement', 'data/train..json'], { cwd: tmp.dir, env });
    expect(r.stderr).not.toContain('output');
    expect(r.code).toBe(0);
    expect(statSync(join(tmp.dir, 'data/train-metadata.json')).isFile()).toBe(true);
  });
});
