import { createHash, hash as oneShotHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync, type BigIntStats } from 'node:fs';
import { GateError } from '../core/errors.js';
import { fsError, kindOf, unsupportedType } from './fs-errors.js';
import type { ContentScanner } from './fingerprint/types.js';

/**
 * Read size. Blocking reads of 1 MiB into one reused buffer, each hashed right
 * after it is read by the same thread: the buffer is still in that core's
 * cache, and there is no hand-off between threads. Measured against reads on
 * libuv's pool overlapping the hashing (two buffers, a promise per read):
 * 10-15 % less CPU for the same bytes, within 2-4 % of `openssl dgst`
 * (bench/README.md).
 */
export const READ_SIZE = 1024 * 1024;

/** What hashing one file produced. */
export interface FileDigestResult {
  hex: string;
  size: number;
}

/** Sees the bytes as they are hashed. */
export interface DigestOptions {
  scanner?: ContentScanner;
  /** Told how many bytes were hashed since its last call. */
  onBytes?: (n: number) => void;
  /** Asked before each read of a large file: true stops the hashing with {@link HashingStopped}. */
  shouldStop?: () => boolean;
}

/** Thrown when `shouldStop` said so: another thread failed, the result is not wanted. */
export class HashingStopped extends Error {}

/**
 * Opens for reading without blocking on a FIFO that replaced the file since it
 * was listed; the type is then checked through the open descriptor (so the
 * bytes hashed are those of the file that was checked).
 */
export const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/**
 * SHA-256 of a file (equal to `sha256sum`), with blocking reads into `buf`.
 * Refuses anything but a regular file, and a file that changed while it was
 * read (see {@link assertUnchanged}).
 */
export function digestFileSync(path: string, buf: Buffer, opts: DigestOptions = {}): FileDigestResult {
  const r = digestFileRaw(path, buf, opts);
  return { hex: r.digest.toString('hex'), size: r.size };
}

/** {@link digestFileSync} with the digest as its 32 bytes. */
export function digestFileRaw(path: string, buf: Buffer, opts: DigestOptions = {}): { digest: Buffer; size: number } {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (e) {
    throw fsError(e, path);
  }
  try {
    return hashOpenFile(fd, path, buf, opts);
  } catch (e) {
    throw e instanceof HashingStopped ? e : fsError(e, path);
  } finally {
    closeSync(fd);
  }
}

function hashOpenFile(fd: number, path: string, buf: Buffer, opts: DigestOptions): { digest: Buffer; size: number } {
  // Nanosecond times: a rewrite in place keeps the size, only the times tell.
  const before = fstatSync(fd, { bigint: true });
  const kind = kindOf(before);
  if (kind !== 'file') throw unsupportedType(kind, path);
  const expected = Number(before.size);
  if (expected < buf.length) {
    // A file smaller than the buffer: one read, and a short read of a regular
    // file is its end, so no second read is needed to see EOF. Most files of
    // a many-file dataset take this path, where per-file costs dominate.
    const n = readSync(fd, buf, 0, buf.length, 0);
    const chunk = buf.subarray(0, n);
    opts.scanner?.push(chunk);
    opts.onBytes?.(n);
    const digest = oneShotHash('sha256', chunk, 'buffer') as unknown as Buffer;
    assertUnchanged(fd, path, before, n);
    return { digest, size: n };
  }
  const hash = createHash('sha256');
  let pos = 0;
  for (;;) {
    if (opts.shouldStop?.()) throw new HashingStopped();
    const n = readSync(fd, buf, 0, buf.length, pos);
    if (n === 0) break;
    pos += n;
    const chunk = n === buf.length ? buf : buf.subarray(0, n);
    hash.update(chunk);
    opts.scanner?.push(chunk);
    opts.onBytes?.(n);
  }
  assertUnchanged(fd, path, before, pos);
  return { digest: hash.digest(), size: pos };
}

/**
 * A file written to while it was read would give the digest of neither
 * version. After the last read the file is looked at again through the same
 * descriptor: a different size, modification time or change time (to the
 * nanosecond) than before the first read, or fewer or more bytes read than
 * its size, refuses it. What this cannot see: a change whose only time stamp
 * falls before the first look, i.e. one write call already under way then
 * and still copying while the file is read (the kernel stamps a write when it
 * starts), or writes within one clock tick on a file system with coarse
 * timestamps. A writer working in ordinary chunks is seen.
 */
export function assertUnchanged(fd: number, path: string, before: BigIntStats, bytesRead: number): void {
  const after = fstatSync(fd, { bigint: true });
  const sizeAtOpen = Number(before.size);
  if (bytesRead !== sizeAtOpen || after.size !== before.size) {
    throw changedWhileHashing(path, `${sizeAtOpen} bytes at open, ${bytesRead} read${after.size !== before.size ? `, ${after.size} now` : ''}`);
  }
  if (after.mtimeNs !== before.mtimeNs || after.ctimeNs !== before.ctimeNs) {
    throw changedWhileHashing(path, 'written to while it was read: its modification time changed');
  }
}

export function changedWhileHashing(path: string, detail: string): GateError {
  return new GateError('E_INPUT', `file changed while hashing (${detail})`, {
    where: path,
    hint: 'hash models and datasets only when nothing is writing to them',
  });
}
