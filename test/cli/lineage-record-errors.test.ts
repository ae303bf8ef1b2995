import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { platform } from 'node:os';
import { join } from 'node:path';
import { cli, tempDirEach, writeTree } from '../lineage/helpers.js';

const env = { PATH: '/nonexistent' };

describe('lineage record/verify: errors that say what really went wrong (issue 11 item 13)', () => {
  const tmp = tempDirEach();
  beforeEach(() => {
    writeTree(tmp.dir, { 'model.bin': 'w', 'afile': 'x' });
  });

  const record = (out: string) => cli(['lineage', 'record', '--no-git', '--model', 'model.bin', '--out', out], { cwd: tmp.dir, env });

  (platform() === 'linux' ? it : it.skip)('an --out where nobody may write says it cannot be written, not "cannot be read" (exit 2)', async () => {
    // /sys refuses file creation even to root, so this holds whoever runs the tests.
    const r = await record('/sys/metadata.json');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/sys/metadata.json: permission denied: cannot write here');
    expect(r.stderr).not.toContain('read');
  });

  it('an --out in a directory that does not exist names that directory (exit 2)', async () => {
    const r = await record('no/such/dir/metadata.json');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no/such/dir/metadata.json: cannot write: the directory no/such/dir does not exist');
    expect(r.stderr).not.toContain('cannot be read');
  });

  it('an --out under a file, or onto a directory, says why it cannot be written; nothing is left behind', async () => {
    let r = await record('afile/metadata.json');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('afile/metadata.json: cannot write: afile is not a directory');
    writeTree(tmp.dir, {}, ['adir']);
    r = await record('adir');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('adir: cannot write: it is a directory');
    expect(readdirSync(tmp.dir).sort()).toEqual(['adir', 'afile', 'model.bin']);
    expect(readdirSync(join(tmp.dir, 'adir'))).toEqual([]);
  });

  it('a metadata file that is not JSON gets a hint about metadata files, not about inline JSON', async () => {
    writeFileSync(join(tmp.dir, 'metadata.json'), '{"schema": "x",');
    for (const argv of [['lineage', 'verify'], ['lineage', 'diff', 'metadata.json', 'metadata.json']]) {
      const r = await cli(argv, { cwd: tmp.dir, env });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('metadata.json:1:16: not valid JSON');
      expect(r.stderr).not.toMatch(/inline/);
      expect(r.stderr).toContain('model-gate lineage record');
    }
  });

  it('a hyperparameters file that is not JSON: the hint says to fix that file', async () => {
    writeFileSync(join(tmp.dir, 'hp.json'), '{lr: 1}');
    const r = await cli(['lineage', 'record', '--no-git', '--model', 'model.bin', '--hyperparameters', 'hp.json'], { cwd: tmp.dir, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('hp.json:1:2: not valid JSON');
    expect(r.stderr).toMatch(/hint: fix the JSON in hp\.json/);
    expect(existsSync(join(tmp.dir, 'metadata.json'))).toBe(false);
  });
});
