/**
 * What a commit holds at a path, classified from its tree entry and bytes:
 * regular blobs hashed, Git LFS pointers read per the git-lfs spec, symlinks
 * and submodules refused, and every read error an `unreadable` fact (fail
 * closed, never a silent skip).
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { classifyEntry, parseLfsPointer, readHeadFile, type GitObjectSource, type TreeEntry } from '../../src/approval/read-head-file.js';

const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const gitSha = (b: Buffer) => createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');
const entry = (mode: string, bytes = Buffer.from('x')): TreeEntry => ({
  path: 'models/m.onnx',
  mode,
  type: mode === '160000' ? 'commit' : mode === '040000' ? 'tree' : 'blob',
  sha: gitSha(bytes),
  size: bytes.length,
});
const pointer = (oid: string, size = 12) => Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${size}\n`);

describe('a head file is classified from what git holds, never from metadata.json', () => {
  it('a regular file (100644 or 100755) is the SHA-256 of its bytes, equal to sha256sum', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.constantFrom('100644', '100755'), (raw, mode) => {
        const bytes = Buffer.from(raw);
        const f = classifyEntry('a.bin', entry(mode, bytes), bytes);
        // Bytes that happen to spell a pointer are the LFS case, tested below.
        if (f.kind === 'lfs') return;
        expect(f).toEqual({ path: 'a.bin', kind: 'blob', digest: sha256(bytes), size: bytes.length });
      }),
    );
  });

  it('bytes that are not valid UTF-8 are hashed as bytes (no text decoding)', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0xc3]);
    expect(classifyEntry('m', entry('100644', bytes), bytes).digest).toBe(sha256(bytes));
  });

  it('a Git LFS pointer gives its oid and size', () => {
    const oid = 'a'.repeat(64);
    const bytes = pointer(oid, 1234);
    expect(classifyEntry('m', entry('100644', bytes), bytes)).toEqual({ path: 'm', kind: 'lfs', digest: `sha256:${oid}`, size: 1234 });
  });

  it('a symlink (120000) and a submodule (160000) are refused with the reason; absent is absent', () => {
    expect(classifyEntry('m', entry('120000'))).toMatchObject({ kind: 'symlink', reason: expect.stringMatching(/symbolic link \(mode 120000\)/) });
    expect(classifyEntry('m', entry('160000'))).toMatchObject({ kind: 'submodule', reason: expect.stringMatching(/submodule \(mode 160000\)/) });
    expect(classifyEntry('m', null)).toEqual({ path: 'm', kind: 'absent' });
    expect(classifyEntry('m', entry('040000'))).toMatchObject({ kind: 'unreadable', reason: expect.stringMatching(/directory/) });
  });
});

describe('Git LFS pointers, per git-lfs docs/spec.md', () => {
  const oid = 'b'.repeat(64);

  it('reads version, sorted keys, oid and size; other keys are kept out of the way', () => {
    expect(parseLfsPointer(pointer(oid))).toEqual({ oid: `sha256:${oid}`, size: 12 });
    const ext = Buffer.from(`version https://git-lfs.github.com/spec/v1\next-0-foo sha256:${'c'.repeat(64)}\noid sha256:${oid}\nsize 3\n`);
    expect(parseLfsPointer(ext)).toEqual({ oid: `sha256:${oid}`, size: 3 });
  });

  it('is not a pointer: other text, or 1,024 bytes and more', () => {
    expect(parseLfsPointer(Buffer.from(`oid sha256:${oid}\n`))).toBeNull();
    expect(parseLfsPointer(Buffer.concat([pointer(oid), Buffer.alloc(1024)]))).toBeNull();
  });

  it('starts like a pointer but breaks the spec: a problem, so the gate refuses it instead of guessing', () => {
    const bad = (text: string) => parseLfsPointer(Buffer.from(text)) as { problem: string };
    expect(bad(`version https://git-lfs.github.com/spec/v1\nsize 12\noid sha256:${oid}\n`).problem).toMatch(/out of order/);
    expect(bad(`version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize 12`).problem).toMatch(/newline/);
    expect(bad(`version https://git-lfs.github.com/spec/v1\noid md5:abc\nsize 12\n`).problem).toMatch(/oid sha256/);
    expect(bad(`version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize -1\n`).problem).toMatch(/size/);
    const classified = classifyEntry('m', entry('100644'), Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\n`));
    expect(classified).toMatchObject({ kind: 'unreadable', reason: expect.stringMatching(/starts like a Git LFS pointer/) });
  });
});

describe('reading a head file fails closed', () => {
  const bytes = Buffer.from('weights');
  const ok: GitObjectSource = {
    treeEntry: async () => entry('100644', bytes),
    blob: async () => bytes,
  };

  it('reads the entry, then the blob', async () => {
    expect((await readHeadFile(ok, 'c'.repeat(40), 'models/m.onnx')).fact).toMatchObject({ kind: 'blob', digest: sha256(bytes) });
  });

  it('a tree that cannot be read (a 502) is unreadable with the reason, not absent', async () => {
    const broken: GitObjectSource = { ...ok, treeEntry: async () => Promise.reject(new Error('GitHub answered 502')) };
    expect((await readHeadFile(broken, 'c'.repeat(40), 'models/m.onnx')).fact).toEqual({
      path: 'models/m.onnx',
      kind: 'unreadable',
      reason: expect.stringMatching(/tree of cccccccccccc could not be read: GitHub answered 502/),
    });
  });

  it('a blob that cannot be read is unreadable with the reason', async () => {
    const broken: GitObjectSource = { ...ok, blob: async () => Promise.reject(new Error('larger than 100 MB')) };
    expect((await readHeadFile(broken, 'c'.repeat(40), 'models/m.onnx')).fact).toMatchObject({
      kind: 'unreadable',
      reason: expect.stringMatching(/models\/m\.onnx could not be read: larger than 100 MB/),
    });
  });
});
