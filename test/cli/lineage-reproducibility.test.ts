import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, sha256sum, tempDirEach, writeTree } from '../lineage/helpers.js';

/**
 * A "machine": a directory on PATH holding a python3 and a pip that report
 * their own interpreter version and installed packages.
 */
function machine(root: string, name: string, version: string, packages: [string, string][]): string {
  const bin = join(root, `machine-${name}`, 'bin');
  mkdirSync(bin, { recursive: true });
  const list = JSON.stringify(packages.map(([n, v]) => ({ name: n, version: v })));
  writeFileSync(join(bin, 'pip'), `#!/bin/sh\nprintf '%s\\n' '${list}'\n`);
  writeFileSync(
    join(bin, 'python3'),
    `#!/bin/sh\nif [ "$1" = "-c" ]; then echo ${version}; exit 0; fi\nif [ "$1" = "-m" ] && [ "$2" = "pip" ]; then shift 2; exec "${bin}/pip" "$@"; fi\nexit 1\n`,
  );
  chmodSync(join(bin, 'pip'), 0o755);
  chmodSync(join(bin, 'python3'), 0o755);
  return bin;
}

describe('the reproducibility digest depends on the training environment, not on the machine that records (issue 12 item 4)', () => {
  const tmp = tempDirEach();
  let a: string;
  let b: string;
  beforeEach(() => {
    writeTree(tmp.dir, {
      'work/models/model.bin': 'weights',
      'work/data/train.csv': 'x,y\n1,0\n',
      'work/requirements.txt': 'torch==2.5.0\nnumpy==2.1.0\n',
      'work/uv.lock': 'version = 1\n',
      'work/training-env/pip-freeze.txt': 'torch==2.5.0\nnumpy==2.1.0\nscikit-learn==1.5.2\n',
    });
    a = machine(tmp.dir, 'a', '3.12.1', [['numpy', '2.1.0'], ['torch', '2.5.0'], ['requests', '2.31.0']]);
    b = machine(tmp.dir, 'b', '3.11.9', [['pandas', '2.2.0'], ['boto3', '1.34.0']]);
  });

  const record = async (bin: string, out: string, ...extra: string[]) => {
    const r = await cli(
      ['lineage', 'record', '--no-git', '--source-commit', 'c'.repeat(40), '--model', 'models/model.bin', '--dataset', 'training=data/train.csv', '--hyperparameters', '{"lr":0.1}', '--out', out, ...extra],
      { cwd: join(tmp.dir, 'work'), env: { PATH: `${bin}:/usr/bin:/bin` } },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(readFileSync(join(tmp.dir, 'work', out), 'utf8'));
  };

  it('two machines with different pip packages give one digest (by default their packages are not recorded)', async () => {
    const ma = await record(a, 'a.json');
    const mb = await record(b, 'b.json');
    expect(ma.reproducibility_digest).toBe(mb.reproducibility_digest);
    expect(ma.environment.python_packages).toBeUndefined();
    expect(ma.environment.python).toBeUndefined();
    expect(ma.environment.lockfiles).toEqual([
      { path: 'requirements.txt', digest: sha256sum(join(tmp.dir, 'work/requirements.txt')) },
      { path: 'uv.lock', digest: sha256sum(join(tmp.dir, 'work/uv.lock')) },
    ]);
  });

  it('--python-packages records the recording machine apart, outside the digest', async () => {
    const ma = await record(a, 'a.json', '--python-packages');
    const mb = await record(b, 'b.json', '--python-packages');
    expect(ma.environment.recording_machine).toEqual({
      python: '3.12.1',
      python_packages: [
        { name: 'numpy', version: '2.1.0' },
        { name: 'requests', version: '2.31.0' },
        { name: 'torch', version: '2.5.0' },
      ],
    });
    expect(mb.environment.recording_machine.python).toBe('3.11.9');
    expect(ma.reproducibility_digest).toBe(mb.reproducibility_digest);
    expect(ma.reproducibility_digest).toBe((await record(a, 'c.json')).reproducibility_digest);
  });

  it('--environment FILE records exactly the training job\'s files (a saved pip freeze), and a changed lockfile changes the digest', async () => {
    const ma = await record(a, 'a.json', '--environment', 'training-env/pip-freeze.txt');
    expect(ma.environment.lockfiles).toEqual([
      { path: 'training-env/pip-freeze.txt', digest: sha256sum(join(tmp.dir, 'work/training-env/pip-freeze.txt')) },
    ]);
    const mb = await record(b, 'b.json', '--environment', 'training-env/pip-freeze.txt');
    expect(mb.reproducibility_digest).toBe(ma.reproducibility_digest);
    writeFileSync(join(tmp.dir, 'work/training-env/pip-freeze.txt'), 'torch==2.6.0\n');
    const mc = await record(a, 'c.json', '--environment', 'training-env/pip-freeze.txt');
    expect(mc.reproducibility_digest).not.toBe(ma.reproducibility_digest);
  });

  it('lockfiles beside the model are found, from its directory up to the working directory', async () => {
    writeTree(tmp.dir, { 'work/models/requirements-gpu.txt': 'cuda==12\n', 'requirements.txt': 'outside the working directory\n' });
    const m = await record(a, 'a.json');
    expect(m.environment.lockfiles.map((l: { path: string }) => l.path)).toEqual(['models/requirements-gpu.txt', 'requirements.txt', 'uv.lock']);
  });

  it('--environment refuses a missing file or a directory (exit 2)', async () => {
    let r = await cli(['lineage', 'record', '--no-git', '--model', 'models/model.bin', '--environment', 'nope.lock'], { cwd: join(tmp.dir, 'work'), env: { PATH: a } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope.lock: no such file or directory');
    r = await cli(['lineage', 'record', '--no-git', '--model', 'models/model.bin', '--environment', 'training-env'], { cwd: join(tmp.dir, 'work'), env: { PATH: a } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('training-env: an environment file must be a file');
  });
});
