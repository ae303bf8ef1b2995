import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, oneLiner, sha256sum, tempDirEach, writeTree } from '../lineage/helpers.js';

describe('model-gate hash', () => {
  const tmp = tempDirEach();

  it('prints one `sha256:<hex>  PATH` line per path, relative to the working directory', async () => {
    writeTree(tmp.dir, { 'model.bin': 'weights', 'data/a.csv': 'x,y\n1,2\n', 'data/-b c': 'z' });
    const r = await cli(['hash', 'model.bin', 'data'], { cwd: tmp.dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${sha256sum(join(tmp.dir, 'model.bin'))}  model.bin\n${oneLiner(join(tmp.dir, 'data'))}  data\n`);
    expect(r.stderr).toBe('');
  });

  it('--json prints {path, type, digest, size, files}', async () => {
    writeTree(tmp.dir, { 'm.bin': 'abc', 'd/x': '12' });
    const r = await cli(['hash', '--json', 'm.bin', 'd'], { cwd: tmp.dir });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toEqual([
      { path: 'm.bin', type: 'file', digest: sha256sum(join(tmp.dir, 'm.bin')), size: 3 },
      {
        path: 'd',
        type: 'directory',
        digest: oneLiner(join(tmp.dir, 'd')),
        size: 2,
        files: [{ path: 'x', size: 2, digest: sha256sum(join(tmp.dir, 'd/x')) }],
      },
    ]);
  });

  it('exits 2 naming a missing path, and a FIFO', async () => {
    let r = await cli(['hash', 'nope'], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope: no such file or directory');
    execFileSync('mkfifo', [join(tmp.dir, 'p')]);
    r = await cli(['hash', 'p'], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/p: FIFO refused/);
  });

  it('draws a progress bar on a terminal for a large input (a sparse 257 MiB file, just over the threshold)', async () => {
    writeFileSync(join(tmp.dir, 'big.bin'), '');
    truncateSync(join(tmp.dir, 'big.bin'), 257 * 1024 * 1024);
    const r = await cli(['hash', 'big.bin'], { cwd: tmp.dir, tty: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^sha256:[0-9a-f]{64} {2}big\.bin\n$/);
    expect(r.stderr).toMatch(/^\rbig\.bin \[[#.]{30}\] +\d+% /);
    expect(r.stderr).toContain('100% 0.25/0.25 GiB');
    expect(r.stderr.endsWith('\n')).toBe(true);
    expect((await cli(['hash', 'big.bin'], { cwd: tmp.dir, tty: false })).stderr).toBe('');
  });

  it('draws no progress bar when stderr is not a terminal or with --quiet', async () => {
    writeTree(tmp.dir, { f: 'x' });
    expect((await cli(['hash', 'f'], { cwd: tmp.dir, tty: false })).stderr).toBe('');
    expect((await cli(['hash', '-q', 'f'], { cwd: tmp.dir, tty: true })).stderr).toBe('');
  });

  it('--shards adds the sharded digest (model_signing shape) beside the SHA-256; --shards-only prints it alone', async () => {
    writeTree(tmp.dir, { 'm.bin': 'This is a simple model' });
    const plain = sha256sum(join(tmp.dir, 'm.bin'));
    // One shard of a small file: its resource is the plain SHA-256; the root hashes that digest's bytes.
    const root = `sha256:${createHash('sha256').update(Buffer.from(plain.slice(7), 'hex')).digest('hex')}`;
    let r = await cli(['hash', '--shards', 'm.bin'], { cwd: tmp.dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${plain}  m.bin\nshards:${root}  m.bin\n`);
    r = await cli(['hash', '--shards', '--json', 'm.bin'], { cwd: tmp.dir });
    expect(JSON.parse(r.stdout)).toEqual([
      {
        path: 'm.bin',
        type: 'file',
        digest: plain,
        size: 22,
        shards: {
          serialization: { method: 'shards', hash_type: 'sha256', shard_size: 1000000000, allow_symlinks: false },
          resources: [{ name: '.:0:22', algorithm: 'sha256-sharded-1000000000', digest: plain.slice(7) }],
          digest: root,
        },
      },
    ]);
    r = await cli(['hash', '--shards-only', 'm.bin'], { cwd: tmp.dir });
    expect(r.stdout).toBe(`shards:${root}  m.bin\n`);
    r = await cli(['hash', '--shards-only', '--json', 'm.bin'], { cwd: tmp.dir });
    expect(JSON.parse(r.stdout)[0]).not.toHaveProperty('digest');
  });

  it('exits 2 for --shards with --shards-only, and for --shards-only on a directory', async () => {
    writeTree(tmp.dir, { 'd/x': '1' });
    let r = await cli(['hash', '--shards', '--shards-only', 'd/x'], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/exclude each other/);
    r = await cli(['hash', '--shards-only', 'd'], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/d: a sharded digest is of one file/);
  });

  it('a model rewritten in place by another process while `model-gate hash` reads it: exit 2 "changed while hashing", never a digest of neither version', async () => {
    const size = 32 * 1024 * 1024;
    const file = join(tmp.dir, 'model.bin');
    writeFileSync(file, Buffer.alloc(size, 1));
    const digestOf = (fill: number) => `sha256:${createHash('sha256').update(Buffer.alloc(size, fill)).digest('hex')}`;
    const versions = new Set([digestOf(1), digestOf(2)]);
    // Another process rewrites the whole file in place, same size, alternating
    // two versions, in 1 MiB writes as a copy or a training job writes, until
    // killed. (The kernel stamps the time when a write starts: one write call
    // spanning the whole read could not be seen; docs/threat-model.md.)
    const writer = spawn(process.execPath, [
      '-e',
      `const fs = require('fs'); const fd = fs.openSync(process.argv[1], 'r+'); const a = Buffer.alloc(${size}, 1), b = Buffer.alloc(${size}, 2);
       const chunk = 1024 * 1024;
       for (let i = 0; ; i++) for (let at = 0; at < ${size}; at += chunk) fs.writeSync(fd, i % 2 ? a : b, at, chunk, at);`,
      file,
    ]);
    try {
      let refused = 0;
      for (let i = 0; i < 5; i++) {
        const r = spawnSync(process.execPath, [join(process.cwd(), 'bin', 'model-gate.js'), 'hash', file], { encoding: 'utf8' });
        if (r.status === 0) expect(versions).toContain(r.stdout.split(' ')[0]);
        else {
          expect(r.status).toBe(2);
          expect(r.stderr).toContain(`${file}: file changed while hashing`);
          refused++;
        }
      }
      expect(refused).toBeGreaterThan(0);
    } finally {
      writer.kill('SIGKILL');
    }
  });
});
