/**
 * What a commit really holds at a path, as a {@link HeadFileFact}: the gate
 * passes only on bytes it hashed itself, never on what metadata.json claims.
 *
 * The classification is pure (a tree entry and, for a blob, its bytes in; the
 * fact out). Reading goes through a {@link GitObjectSource} (the Git Data API
 * in src/github/git-data.ts), and every read error becomes an `unreadable` fact with
 * the reason: the evaluator refuses it, so a 502 can never turn into a pass.
 */
import { createHash } from 'node:crypto';
import type { Digest } from '../core/digest.js';
import { messageOf } from '../core/errors.js';
import type { HeadFileFact } from './types.js';
import type { GitObjectSource, TreeEntry } from './pull-request-source.js';

export type { GitObjectSource, TreeEntry };

/** The pointer's version line (the spec: simple string comparison). */
const LFS_VERSION = 'version https://git-lfs.github.com/spec/v1';
/** Git LFS reads blobs under this size as candidate pointers. */
export const LFS_POINTER_MAX = 1024;

export type LfsPointer = { oid: Digest; size: number };

/**
 * Parses a Git LFS pointer (git-lfs docs/spec.md): UTF-8 lines `key value\n`,
 * `version` first, the other keys sorted, `oid sha256:<hex>` and `size`
 * required. Returns null for bytes that are not a pointer at all, and a
 * problem for bytes that start like one but break the spec (the gate refuses
 * those rather than guess what git-lfs would check out).
 */
export function parseLfsPointer(bytes: Buffer): LfsPointer | null | { problem: string } {
  if (bytes.length >= LFS_POINTER_MAX || !bytes.subarray(0, LFS_VERSION.length).equals(Buffer.from(LFS_VERSION))) return null;
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) return { problem: 'a Git LFS pointer must be UTF-8' };
  if (!text.endsWith('\n')) return { problem: 'a Git LFS pointer must end with a newline' };
  const lines = text.slice(0, -1).split('\n');
  if (lines[0] !== LFS_VERSION) return { problem: `the first line must be "${LFS_VERSION}"` };
  const values = new Map<string, string>();
  let previous = '';
  for (const line of lines.slice(1)) {
    const m = /^([a-z0-9.-]+) ([^\r\n]*)$/.exec(line);
    if (!m) return { problem: `line ${JSON.stringify(line)} is not "key value"` };
    if (m[1] <= previous) return { problem: `key ${m[1]} is out of order or repeated (keys after version are sorted)` };
    previous = m[1];
    values.set(m[1], m[2]);
  }
  const oid = /^sha256:([0-9a-f]{64})$/.exec(values.get('oid') ?? '');
  if (!oid) return { problem: 'the pointer has no "oid sha256:<64 hex>" line' };
  const size = values.get('size') ?? '';
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) return { problem: 'the pointer has no valid "size" line' };
  return { oid: `sha256:${oid[1]}` as Digest, size: Number(size) };
}

/** SHA-256 of bytes, as the lineage writes digests (`sha256sum`). */
export function sha256Digest(bytes: Buffer): Digest {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}` as Digest;
}

/**
 * Classifies a tree entry (pure). `bytes` is the blob's content for a
 * regular file; null entry means the path is not in the commit.
 */
export function classifyEntry(path: string, entry: TreeEntry | null, bytes?: Buffer): HeadFileFact {
  if (entry === null) return { path, kind: 'absent' };
  if (entry.mode === '120000') return { path, kind: 'symlink', reason: `${path} is a symbolic link (mode 120000): the gate hashes only regular files` };
  if (entry.mode === '160000' || entry.type === 'commit') {
    return { path, kind: 'submodule', reason: `${path} is a submodule (mode 160000): its bytes are not in this repository` };
  }
  if (entry.type === 'tree') return { path, kind: 'unreadable', reason: `${path} is a directory, not a file` };
  if (entry.mode !== '100644' && entry.mode !== '100755') {
    return { path, kind: 'unreadable', reason: `${path} has git mode ${entry.mode}, which is not a regular file` };
  }
  if (!bytes) return { path, kind: 'unreadable', reason: `the bytes of ${path} were not read` };
  const pointer = parseLfsPointer(bytes);
  if (pointer && 'problem' in pointer) {
    return { path, kind: 'unreadable', reason: `${path} starts like a Git LFS pointer but is not one: ${pointer.problem}` };
  }
  if (pointer) return { path, kind: 'lfs', digest: pointer.oid, size: pointer.size };
  return { path, kind: 'blob', digest: sha256Digest(bytes), size: bytes.length };
}

/** A head file and, for a regular blob, its bytes (metadata.json is parsed from them). */
export interface ReadHeadFile {
  fact: HeadFileFact;
  bytes?: Buffer;
}

/**
 * Reads what `commit` holds at `path`. Never throws: whatever stops the read
 * (an error from GitHub, a blob over the API's 100 MB) is an `unreadable`
 * fact naming the reason, so the gate fails closed.
 */
export async function readHeadFile(git: GitObjectSource, commit: string, path: string): Promise<ReadHeadFile> {
  let entry: TreeEntry | null;
  try {
    entry = await git.treeEntry(commit, path);
  } catch (e) {
    return { fact: { path, kind: 'unreadable', reason: `the tree of ${commit.slice(0, 12)} could not be read: ${messageOf(e)}` } };
  }
  if (!entry || entry.type !== 'blob' || (entry.mode !== '100644' && entry.mode !== '100755')) return { fact: classifyEntry(path, entry) };
  let bytes: Buffer;
  try {
    bytes = await git.blob(entry.sha);
  } catch (e) {
    return { fact: { path, kind: 'unreadable', reason: `${path} could not be read: ${messageOf(e)}` } };
  }
  return { fact: classifyEntry(path, entry, bytes), bytes };
}
