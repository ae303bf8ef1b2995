import { createHash, hash as oneShotHash } from 'node:crypto';
import { constants, openSync, readSync, fstatSync, closeSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { GateError } from '../core/errors.js';
import { fsError, kindOf, unsupportedType } from './fs-errors.js';
import type { ContentScanner } from './fingerprint/types.js';

/**
 * Read size. 1 MiB reads keep the per-call overhead (a thread-pool hop, a
 * syscall) negligible against hashing, while the buffer still sits in the
 * CPU's cache when it is hashed right after the read (4 MiB measured slower
 * here); two buffers of this size are all the memory a file of any size costs.
 */
export const READ_SIZE = 1024 * 1024;

/** What hashing one file produced. */
export interface FileDigestResult {
  hex: string;
  size: number;
}

/**
 * Opens for reading without blocking on a FIFO that replaced the file since it
 * was listed, then checks through the open descriptor that it is a regular
 * file (so the bytes hashed are those of the file that was checked).
 */
function openFlags(): number {
  return constants.O_RDONLY | constants.O_NONBLOCK;
}

/**
 * SHA-256 of a file, streamed: the next read runs on libuv's thread pool while
 * this thread hashes the previous buffer, so reading and hashing overlap.
 * `onBytes` is told how many bytes were hashed since its last call.
 */
export async function digestFile(
  path: string,
  opts: { scanner?: ContentScanner; onBytes?: (n: number) => void; readSize?: number } = {},
): Promise<FileDigestResult> {
  let fh;
  try {
    fh = await open(path, openFlags());
  } catch (e) {
    throw fsError(e, path);
  }
  try {
    const st = await fh.stat();
    const kind = kindOf(st);
    if (kind !== 'file') throw unsupportedType(kind, path);
    const readSize = Math.max(opts.readSize ?? READ_SIZE, 1024 * 1024);
    const hash = createHash('sha256');
    let a = Buffer.allocUnsafe(readSize);
    let b = Buffer.allocUnsafe(readSize);
    let pos = 0;
    const read = (buf: Buffer, at: number) => fh!.read(buf, 0, buf.length, at).then((r) => r.bytesRead);
    let pending = read(a, 0);
    for (;;) {
      const n = await pending;
      if (n === 0) break;
      pos += n;
      pending = read(b, pos); // overlaps with the hashing below
      const chunk = n === a.length ? a : a.subarray(0, n);
      hash.update(chunk);
      opts.scanner?.push(chunk);
      opts.onBytes?.(n);
      [a, b] = [b, a];
    }
    if (pos !== st.size) throw changedWhileReading(path, st.size, pos);
    return { hex: hash.digest('hex'), size: pos };
  } catch (e) {
    throw fsError(e, path);
  } finally {
    await fh.close();
  }
}

/**
 * The same digest with blocking reads, for worker threads (each worker is its
 * own thread, so blocking costs nothing and avoids a promise per read).
 */
export function digestFileSync(
  path: string,
  buf: Buffer,
  opts: { scanner?: ContentScanner; onBytes?: (n: number) => void } = {},
): FileDigestResult {
  let fd: number;
  try {
    fd = openSync(path, openFlags());
  } catch (e) {
    throw fsError(e, path);
  }
  try {
    return hashOpenFile(fd, fstatSync(fd), path, buf, opts);
  } catch (e) {
    throw fsError(e, path);
  } finally {
    closeSync(fd);
  }
}

/** Files up to this size are hashed with blocking reads on the main thread. */
export const MAIN_THREAD_SYNC_MAX = 8 * 1024 * 1024;

/**
 * For the main thread while workers also hash: small files with blocking
 * reads (cheapest), large ones with {@link digestFile}, whose awaits let the
 * workers' messages through so they are never left without work.
 */
export async function digestFileAdaptive(
  path: string,
  buf: Buffer,
  opts: { scanner?: ContentScanner; onBytes?: (n: number) => void } = {},
): Promise<FileDigestResult> {
  let fd: number;
  try {
    fd = openSync(path, openFlags());
  } catch (e) {
    throw fsError(e, path);
  }
  let st;
  try {
    st = fstatSync(fd);
    if (!st.isFile() || st.size <= MAIN_THREAD_SYNC_MAX) return hashOpenFile(fd, st, path, buf, opts);
  } catch (e) {
    throw fsError(e, path);
  } finally {
    closeSync(fd);
  }
  return digestFile(path, opts);
}

function hashOpenFile(
  fd: number,
  st: Stats,
  path: string,
  buf: Buffer,
  opts: { scanner?: ContentScanner; onBytes?: (n: number) => void },
): FileDigestResult {
  const kind = kindOf(st);
  if (kind !== 'file') throw unsupportedType(kind, path);
  let pos = 0;
  if (st.size < buf.length) {
    // A file smaller than the buffer: one read, and a short read of a regular
    // file is its end, so no second read is needed to see EOF. Most files of
    // a many-file dataset take this path, where per-file costs dominate.
    const n = readSync(fd, buf, 0, buf.length, 0);
    if (n === st.size) {
      const chunk = buf.subarray(0, n);
      opts.scanner?.push(chunk);
      opts.onBytes?.(n);
      return { hex: oneShotHash('sha256', chunk, 'hex'), size: n };
    }
    // It grew or shrank since fstat: the general loop below sees it and refuses.
  }
  const hash = createHash('sha256');
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, pos);
    if (n === 0) break;
    pos += n;
    const chunk = n === buf.length ? buf : buf.subarray(0, n);
    hash.update(chunk);
    opts.scanner?.push(chunk);
    opts.onBytes?.(n);
  }
  if (pos !== st.size) throw changedWhileReading(path, st.size, pos);
  return { hex: hash.digest('hex'), size: pos };
}

function changedWhileReading(path: string, expected: number, got: number): GateError {
  return new GateError('E_INPUT', `file changed while it was hashed (${expected} bytes at open, ${got} read)`, {
    where: path,
    hint: 'hash models and datasets only when nothing is writing to them',
  });
}
