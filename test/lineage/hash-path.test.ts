import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, symlinkSync, utimesSync, writeFileSync, writeSync, chmodSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { GateError } from '../../src/core/errors.js';
import { hashFileShardsOnly, hashPath } from '../../src/lineage/hash-path.js';
import { shardRanges } from '../../src/core/shard-digest.js';
import { READ_SIZE } from '../../src/lineage/file-digest.js';
import { CHUNK_FILES } from '../../src/lineage/hash-protocol.js';
import { oneLiner, sha256sum, tempDir, tempDirEach, writeTree } from './helpers.js';

async function refusal(p: Promise<unknown>): Promise<GateError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(GateError);
    return e as GateError;
  }
  throw new Error('expected a refusal');
}

// Names that break naive pipelines: spaces, non-ASCII, a leading dash, dots.
const segment = fc.constantFrom('a', 'b c', '-x', 'é', '日本', '😀', '.hidden', 'z-', 'Z', 'a.b', ' lead', 'tail ');
const relPath = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('/'));
const tree = fc.record({
  files: fc.dictionary(relPath, fc.uint8Array({ maxLength: 300 }), { maxKeys: 8 }),
  empty: fc.array(relPath, { maxLength: 2 }),
});

describe('hashPath: digests equal coreutils', () => {
  it('a file equals sha256sum, across the read-size boundary and when empty', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const big = Buffer.alloc(READ_SIZE * 2 + 17, 7);
      big[READ_SIZE] = 1;
      writeTree(dir, { big: big, empty: '', small: 'hello\n' });
      for (const f of ['big', 'empty', 'small']) {
        const r = await hashPath(join(dir, f));
        expect(r.digest).toBe(sha256sum(join(dir, f)));
        expect(r.type).toBe('file');
      }
      expect((await hashPath('big', { cwd: dir })).size).toBe(big.length);
    } finally {
      cleanup();
    }
  });

  it('a directory equals the dirHash1 one-liner, on workers and on the main thread', async () => {
    const { dir, cleanup } = tempDir();
    try {
      writeTree(
        dir,
        {
          'a b/c.txt': 'one',
          '-dash': 'two',
          'é/日本 x.bin': Buffer.alloc(READ_SIZE + 3, 1),
          'nested/deep/empty-file': '',
          'big/x': Buffer.alloc(9 * 1024 * 1024, 2), // pushes the total over the parallel threshold
        },
        ['nested/empty-dir'],
      );
      const expected = oneLiner(dir);
      const parallel = await hashPath(dir, { workers: 2 });
      const serial = await hashPath(dir, { workers: 0 });
      expect(parallel.digest).toBe(expected);
      expect(serial.digest).toBe(expected);
      expect(parallel.files).toEqual(serial.files);
      for (const f of parallel.files!) expect(f.digest).toBe(sha256sum(join(dir, f.path)));
      expect(parallel.files!.map((f) => f.path)).toEqual([
        '-dash',
        'a b/c.txt',
        'big/x',
        'nested/deep/empty-file',
        'é/日本 x.bin',
      ]);
    } finally {
      cleanup();
    }
  });

  it('property: generated trees hash like the one-liner (25 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(tree, async ({ files, empty }) => {
        const { dir, cleanup } = tempDir();
        try {
          // A path may be both a file and a directory prefix in the generated map: keep what fits.
          for (const [rel, bytes] of Object.entries(files)) {
            try {
              writeTree(dir, { [rel]: Buffer.from(bytes) });
            } catch {
              /* a parent is a file: skip */
            }
          }
          for (const e of empty) {
            try {
              mkdirSync(join(dir, e), { recursive: true });
            } catch {
              /* exists as a file */
            }
          }
          const r = await hashPath(dir);
          expect(r.digest).toBe(oneLiner(dir));
        } finally {
          cleanup();
        }
      }),
      { numRuns: 25 },
    );
  });
});

describe('hashPath: many files across chunk boundaries, on workers and on the calling thread', () => {
  // Files are published to the hashing threads in chunks of CHUNK_FILES; digests
  // land in per-chunk shared memory. Counts around the boundaries, files
  // larger than the read buffer among them, must all give the one-liner's digest.
  it('property: N files around the chunk boundaries hash like the one-liner, with 0, 1 and 3 workers (4 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: CHUNK_FILES - 2, max: 2 * CHUNK_FILES + 2 }),
        fc.integer({ min: 0, max: 1000 }),
        async (n, seed) => {
          const { dir, cleanup } = tempDir();
          try {
            const files: Record<string, Buffer> = {};
            for (let i = 0; i < n; i++) {
              const big = i % 97 === seed % 97;
              files[`d${i % 7}/f ${i}`] = big ? Buffer.alloc(READ_SIZE + 1 + (seed % 5), i % 251) : Buffer.from(`${seed}:${i}`);
            }
            writeTree(dir, files);
            const expected = oneLiner(dir);
            for (const workers of [0, 1, 3]) {
              const r = await hashPath(dir, { workers });
              expect(r.digest).toBe(expected);
              expect(r.files).toHaveLength(n);
            }
          } finally {
            cleanup();
          }
        },
      ),
      { numRuns: 4 },
    );
  });

  it('reports progress up to the total while workers hash', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const files: Record<string, Buffer> = {};
      for (let i = 0; i < 300; i++) files[`f${i}`] = Buffer.alloc(1000 + i, i);
      writeTree(dir, files);
      const seen: [number, number][] = [];
      const r = await hashPath(dir, { workers: 1, onProgress: (d, t) => seen.push([d, t]) });
      expect(r.digest).toBe(oneLiner(dir));
      expect(seen.at(-1)).toEqual([r.size, r.size]);
      for (let i = 1; i < seen.length; i++) expect(seen[i]![0]).toBeGreaterThanOrEqual(seen[i - 1]![0]);
    } finally {
      cleanup();
    }
  });
});

describe('hashPath: refusals name the path', () => {
  const tmp = tempDirEach();

  it('refuses a symbolic link inside a directory, and follows it on request', async () => {
    writeTree(tmp.dir, { 'd/real': 'bytes', 'target/t': 'T' });
    symlinkSync(join(tmp.dir, 'd/real'), join(tmp.dir, 'd/link'));
    const e = await refusal(hashPath(join(tmp.dir, 'd')));
    expect(e.code).toBe('E_UNSUPPORTED_FILE_TYPE');
    expect(e.exitCode).toBe(2);
    expect(e.describe()).toContain(join(tmp.dir, 'd', 'link'));
    expect(e.describe()).toMatch(/symbolic link/);
    const followed = await hashPath(join(tmp.dir, 'd'), { followSymlinks: true });
    expect(followed.files!.map((f) => f.path)).toEqual(['link', 'real']);
    expect(followed.digest).toBe(
      execFileSync(
        'bash',
        ['-c', 'cd "$1" && find -L . -type f -print0 | cut -z -c3- | LC_ALL=C sort -z | xargs -0 -r sha256sum -- | sha256sum', 'x', join(tmp.dir, 'd')],
        { encoding: 'utf8' },
      ).replace(/^(\w+).*\n$/s, 'sha256:$1'),
    );
  });

  it('refuses a symbolic link given as the path itself', async () => {
    writeTree(tmp.dir, { real: 'x' });
    symlinkSync(join(tmp.dir, 'real'), join(tmp.dir, 'link'));
    const e = await refusal(hashPath(join(tmp.dir, 'link')));
    expect(e.code).toBe('E_UNSUPPORTED_FILE_TYPE');
    expect((await hashPath(join(tmp.dir, 'link'), { followSymlinks: true })).digest).toBe(sha256sum(join(tmp.dir, 'real')));
  });

  it('refuses a symbolic link cycle when following links', async () => {
    mkdirSync(join(tmp.dir, 'd/sub'), { recursive: true });
    symlinkSync('..', join(tmp.dir, 'd/sub/up'));
    const e = await refusal(hashPath(join(tmp.dir, 'd'), { followSymlinks: true }));
    expect(e.describe()).toMatch(/cycle/);
  });

  it('refuses a FIFO', async () => {
    mkdirSync(join(tmp.dir, 'd'));
    execFileSync('mkfifo', [join(tmp.dir, 'd/pipe')]);
    const e = await refusal(hashPath(join(tmp.dir, 'd')));
    expect(e.code).toBe('E_UNSUPPORTED_FILE_TYPE');
    expect(e.describe()).toContain(join(tmp.dir, 'd', 'pipe'));
    expect(e.describe()).toMatch(/FIFO/);
    expect((await refusal(hashPath(join(tmp.dir, 'd/pipe')))).describe()).toMatch(/FIFO/);
  });

  it('refuses a unix socket', async () => {
    mkdirSync(join(tmp.dir, 'd'));
    const server = createServer();
    await new Promise<void>((r) => server.listen(join(tmp.dir, 'd/sock'), r));
    try {
      const e = await refusal(hashPath(join(tmp.dir, 'd')));
      expect(e.code).toBe('E_UNSUPPORTED_FILE_TYPE');
      expect(e.describe()).toMatch(/socket/);
      expect(e.describe()).toContain(join(tmp.dir, 'd', 'sock'));
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('refuses a device file', async () => {
    const e = await refusal(hashPath('/dev/null'));
    expect(e.describe()).toMatch(/device/);
  });

  it.each([
    ['a newline', 'bad\nname'],
    ['a backslash', 'bad\\name'],
    ['a carriage return', 'bad\rname'], // coreutils >= 9.2 escapes it too
  ])('refuses a name containing %s', async (what, name) => {
    writeTree(tmp.dir, { [`d/${name}`]: 'x' });
    const e = await refusal(hashPath(join(tmp.dir, 'd')));
    expect(e.code).toBe('E_UNSAFE_NAME');
    expect(e.describe()).toContain(what.replace('a ', ''));
    expect(e.describe()).toContain(JSON.stringify(join(tmp.dir, 'd', name)));
  });

  it('refuses a name that is not UTF-8', async () => {
    mkdirSync(join(tmp.dir, 'd'));
    writeFileSync(Buffer.from(`${join(tmp.dir, 'd')}/\xff.bin`, 'latin1'), 'x');
    const e = await refusal(hashPath(join(tmp.dir, 'd')));
    expect(e.code).toBe('E_UNSAFE_NAME');
    expect(e.describe()).toMatch(/UTF-8/);
  });

  it('refuses a file whose bytes do not match its size (procfs reports 0 bytes, then yields more)', async () => {
    // The same check stops a file that grows or shrinks while it is hashed.
    const e = await refusal(hashPath('/proc/self/status'));
    expect(e.describe()).toMatch(/\/proc\/self\/status: file changed while hashing \(0 bytes at open, \d+ read\)/);
  });

  it('accepts a name that really holds U+FFFD (valid UTF-8), next to the refusal of invalid bytes', async () => {
    writeTree(tmp.dir, { 'd/a\uFFFDb.bin': 'x', 'd/plain': 'y' });
    expect((await hashPath(join(tmp.dir, 'd'))).digest).toBe(oneLiner(join(tmp.dir, 'd')));
  });

  it('reports a missing path', async () => {
    const e = await refusal(hashPath(join(tmp.dir, 'nope')));
    expect(e.code).toBe('E_NOT_FOUND');
    expect(e.exitCode).toBe(2);
    expect(e.describe()).toContain(join(tmp.dir, 'nope'));
  });

  it('reports an unreadable file (run as an unprivileged user: root reads anything)', () => {
    // Tests run as root, for whom chmod 000 stops nothing, so the CLI runs as
    // `nobody` through setpriv. Without setpriv or root, the check is impossible here.
    writeTree(tmp.dir, { secret: 'x' });
    chmodSync(tmp.dir, 0o755);
    chmodSync(join(tmp.dir, 'secret'), 0o000);
    const bin = join(process.cwd(), 'bin', 'model-gate.js');
    let status = 0;
    let stderr = '';
    try {
      execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, bin, 'hash', join(tmp.dir, 'secret')], {
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (e) {
      status = (e as { status: number }).status;
      stderr = (e as { stderr: string }).stderr;
    }
    expect(status).toBe(2);
    expect(stderr).toContain(join(tmp.dir, 'secret'));
    expect(stderr).toMatch(/permission denied/);
  });
});

describe('hashPath: a file rewritten in place while it is hashed (same size)', () => {
  const tmp = tempDirEach();

  /**
   * A file of several read buffers whose bytes are overwritten in place, same
   * size, once its first buffer was hashed (progress has passed one buffer,
   * and the other files are a few bytes): without a check the digest is
   * of neither version. Its times are set in the past first, so the rewrite's
   * timestamp differs even on a file system with coarse timestamps.
   */
  function rewrittenOnFirstProgress(path: string): (done: number) => void {
    const size = READ_SIZE * 4 + 5;
    writeFileSync(path, Buffer.alloc(size, 1));
    utimesSync(path, new Date(2020, 0, 1), new Date(2020, 0, 1));
    let rewritten = false;
    return (done) => {
      if (rewritten || done < READ_SIZE) return;
      rewritten = true;
      const fd = openSync(path, 'r+');
      writeSync(fd, Buffer.alloc(size, 2), 0, size, 0);
      closeSync(fd);
    };
  }

  it('refuses a single file rewritten while it is read (exit 2, "changed while hashing")', async () => {
    const path = join(tmp.dir, 'model.bin');
    const onProgress = rewrittenOnFirstProgress(path);
    const e = await refusal(hashPath(path, { onProgress }));
    expect(e.code).toBe('E_INPUT');
    expect(e.exitCode).toBe(2);
    expect(e.describe()).toContain(path);
    expect(e.describe()).toMatch(/changed while hashing/);
  });

  it('refuses a directory file rewritten while it is read', async () => {
    mkdirSync(join(tmp.dir, 'd'));
    writeFileSync(join(tmp.dir, 'd/other'), 'x');
    const onProgress = rewrittenOnFirstProgress(join(tmp.dir, 'd/shard.bin'));
    const e = await refusal(hashPath(join(tmp.dir, 'd'), { workers: 0, onProgress }));
    expect(e.exitCode).toBe(2);
    expect(e.describe()).toContain(join(tmp.dir, 'd', 'shard.bin'));
    expect(e.describe()).toMatch(/changed while hashing/);
  });

  it('hashes a file whose times changed before it was opened (only a change during the read refuses)', async () => {
    const path = join(tmp.dir, 'f');
    writeFileSync(path, Buffer.alloc(READ_SIZE * 2, 3));
    utimesSync(path, new Date(2020, 0, 1), new Date(2020, 0, 1));
    expect((await hashPath(path)).digest).toBe(sha256sum(path));
  });
});

describe('hashPath: sharded digest of a file, beside its SHA-256', () => {
  const tmp = tempDirEach();

  /** SHA-256 of bytes [start, end) of a file, from the whole file read into memory. */
  const rangeSha = (file: string, start: number, end: number): string =>
    createHash('sha256').update(readFileSync(file).subarray(start, end)).digest('hex');

  it('property: each shard is the SHA-256 of its byte range, the plain digest equals sha256sum, with 0, 1 and 3 workers (6 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 3 * READ_SIZE + 10 }),
        fc.constantFrom(4099, READ_SIZE - 1, READ_SIZE + 7, 2 * READ_SIZE + 3),
        fc.constantFrom(0, 1, 3),
        async (size, shardSize, workers) => {
          const f = join(tmp.dir, `m-${size}-${shardSize}`);
          const bytes = Buffer.alloc(size);
          for (let i = 0; i < size; i += 4093) bytes[i] = (i / 4093) & 0xff;
          writeFileSync(f, bytes);
          const both = await hashPath(f, { shards: true, shardSize, workers });
          expect(both.digest).toBe(sha256sum(f));
          const want = shardRanges(size, shardSize).map(([s, e]) => rangeSha(f, s, e));
          expect(both.shards!.resources.map((r) => r.digest)).toEqual(want);
          expect(both.shards!.resources.map((r) => r.name)).toEqual(shardRanges(size, shardSize).map(([s, e]) => `.:${s}:${e}`));
          const only = await hashFileShardsOnly(f, { shardSize, workers });
          expect(only.shards).toEqual(both.shards);
          expect(only.size).toBe(size);
        },
      ),
      { numRuns: 6 },
    );
  });

  it('refuses a file rewritten in place while its shards are hashed', async () => {
    const path = join(tmp.dir, 'model.bin');
    const size = READ_SIZE * 4 + 5;
    writeFileSync(path, Buffer.alloc(size, 1));
    utimesSync(path, new Date(2020, 0, 1), new Date(2020, 0, 1));
    let rewritten = false;
    const onProgress = (done: number): void => {
      if (rewritten || done < READ_SIZE) return;
      rewritten = true;
      const fd = openSync(path, 'r+');
      writeSync(fd, Buffer.alloc(size, 2), 0, size, 0);
      closeSync(fd);
    };
    const e = await refusal(hashFileShardsOnly(path, { shardSize: READ_SIZE, workers: 0, onProgress }));
    expect(e.exitCode).toBe(2);
    expect(e.describe()).toMatch(/changed while hashing/);
    rewritten = false;
    writeFileSync(path, Buffer.alloc(size, 1));
    utimesSync(path, new Date(2020, 0, 1), new Date(2020, 0, 1));
    expect((await refusal(hashPath(path, { shards: true, shardSize: READ_SIZE, workers: 1, onProgress }))).describe()).toMatch(/changed while hashing/);
  });

  it('a directory has no sharded digest; --shards-only refuses one', async () => {
    writeTree(tmp.dir, { 'd/a': 'x' });
    expect((await hashPath(join(tmp.dir, 'd'), { shards: true })).shards).toBeUndefined();
    expect((await refusal(hashFileShardsOnly(join(tmp.dir, 'd')))).exitCode).toBe(2);
  });
});
