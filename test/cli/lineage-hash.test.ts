import { execFileSync } from 'node:child_process';
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, oneLiner, sha256sum, tempDir, writeTree } from '../lineage/helpers.js';

describe('model-gate hash', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('prints one `sha256:<hex>  PATH` line per path, relative to the working directory', async () => {
    writeTree(dir, { 'model.bin': 'weights', 'data/a.csv': 'x,y\n1,2\n', 'data/-b c': 'z' });
    const r = await cli(['hash', 'model.bin', 'data'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${sha256sum(join(dir, 'model.bin'))}  model.bin\n${oneLiner(join(dir, 'data'))}  data\n`);
    expect(r.stderr).toBe('');
  });

  it('--json prints {path, type, digest, size, files}', async () => {
    writeTree(dir, { 'm.bin': 'abc', 'd/x': '12' });
    const r = await cli(['hash', '--json', 'm.bin', 'd'], { cwd: dir });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toEqual([
      { path: 'm.bin', type: 'file', digest: sha256sum(join(dir, 'm.bin')), size: 3 },
      {
        path: 'd',
        type: 'directory',
        digest: oneLiner(join(dir, 'd')),
        size: 2,
        files: [{ path: 'x', size: 2, digest: sha256sum(join(dir, 'd/x')) }],
      },
    ]);
  });

  it('exits 2 naming a missing path, and a FIFO', async () => {
    let r = await cli(['hash', 'nope'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope: no such file or directory');
    execFileSync('mkfifo', [join(dir, 'p')]);
    r = await cli(['hash', 'p'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/p: FIFO refused/);
  });

  it('draws a progress bar on a terminal for a large input (a sparse 257 MiB file, just over the threshold)', async () => {
    writeFileSync(join(dir, 'big.bin'), '');
    truncateSync(join(dir, 'big.bin'), 257 * 1024 * 1024);
    const r = await cli(['hash', 'big.bin'], { cwd: dir, tty: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^sha256:[0-9a-f]{64} {2}big\.bin\n$/);
    expect(r.stderr).toMatch(/^\rbig\.bin \[[#.]{30}\] +\d+% /);
    expect(r.stderr).toContain('100% 0.25/0.25 GiB');
    expect(r.stderr.endsWith('\n')).toBe(true);
    expect((await cli(['hash', 'big.bin'], { cwd: dir, tty: false })).stderr).toBe('');
  });

  it('draws no progress bar when stderr is not a terminal or with --quiet', async () => {
    writeTree(dir, { f: 'x' });
    expect((await cli(['hash', 'f'], { cwd: dir, tty: false })).stderr).toBe('');
    expect((await cli(['hash', '-q', 'f'], { cwd: dir, tty: true })).stderr).toBe('');
  });
});
