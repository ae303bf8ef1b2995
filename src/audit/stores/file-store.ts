/**
 * The file store (`file://DIR` or a plain path): the embedded default.
 *
 * Never-overwrite is enforced by the filesystem: a record is written to a
 * private temp file, fsynced, made read-only (0444), and then `link()`ed to
 * its final name. link() fails with EEXIST when the name is taken, so two
 * writers can never both own a key, and the visible file is always complete
 * (no reader ever sees a half-written record, even after a crash). The
 * directory is fsynced before success is reported, so an acknowledged record
 * survives a power cut.
 *
 * Files give no retention and no versions: anyone with write access to the
 * directory can still delete or chmod and edit a record. The hash chain and
 * checkpoints make that visible; S3 Object Lock makes it impossible.
 */
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  promises as fsp,
  readSync,
  type Stats,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { GateError } from '../../core/errors.js';
import { KeyIndexBuilder, type KeyIndex } from '../key-index.js';
import { MAX_RECORD_BYTES } from '../record.js';
import { isStoreKey, type AuditStore, type CreateResult, type KeyInspection, type StoreDir } from '../store.js';

const NAME_RE = { entries: /^\d{20}\.json$/, checkpoints: /^\d{20}\.(jws|note)$/ } as const;
/** Errors a retry may cure (the disk or the process table was momentarily full). */
const TRANSIENT = new Set(['EAGAIN', 'EBUSY', 'EINTR', 'EMFILE', 'ENFILE', 'ETIMEDOUT']);
/** One byte more than any record or checkpoint: all that is ever read of such a key. */
const READ_CHUNK = MAX_RECORD_BYTES + 1;
/**
 * The most bytes a transparency-log tile key can hold: a hash tile is 256
 * hashes of 32 bytes; an entry bundle 256 records, each after a 2-byte
 * length (records are under 64 KiB).
 */
const MAX_HASH_TILE_BYTES = 256 * 32;
const MAX_BUNDLE_BYTES = 256 * (2 + MAX_RECORD_BYTES - 1); // records are under MAX_RECORD_BYTES

/** The largest size a key can legitimately have, by what the key holds. */
function limitFor(key: string): number {
  if (key.startsWith('tile/entries/')) return MAX_BUNDLE_BYTES;
  if (key.startsWith('tile/')) return MAX_HASH_TILE_BYTES;
  return MAX_RECORD_BYTES;
}
/**
 * One scratch buffer for every read: reads are synchronous, so it is never
 * shared between two reads in flight, and allocating 64 KiB per record made
 * the garbage collector the verifier's largest cost.
 */
const scratch = Buffer.allocUnsafe(READ_CHUNK);

function checkKey(key: string): void {
  if (!isStoreKey(key)) {
    throw new GateError('E_INPUT', `not an audit store key: ${JSON.stringify(key)}`);
  }
}

function fsError(e: unknown, what: string, where: string): GateError {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  const msg = `${what}: ${(e as Error).message}`;
  if (TRANSIENT.has(code)) return new GateError('E_SERVICE', msg, { where, cause: e });
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new GateError('E_NOT_FOUND', msg, { where, cause: e, hint: 'check the --store path' });
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new GateError('E_UNREADABLE', msg, { where, cause: e, hint: 'check the permissions of the audit store directory' });
  }
  return new GateError('E_SERVICE', msg, { where, cause: e });
}

/** What sits at a key: a record file's bytes, nothing, or something that cannot be a record. */
type Read = { bytes: Buffer } | { missing: true } | { problem: string };

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a file';
}

/**
 * Reads a small file with plain synchronous calls. For records (well under
 * 64 KiB, usually in the page cache) one open/read/close costs less than a
 * round trip through libuv's thread pool, which measured at a third of the
 * rate; the event loop is held for microseconds per record.
 *
 * Only a regular file is read, and at most one byte more than its key can
 * hold (a record: under 64 KiB; a tile: see limitFor):
 * the store's directory is writable by others, and what sits at a key may be
 * a FIFO (opening it without O_NONBLOCK waits for a writer forever, and a
 * synchronous wait stops the whole process), a directory, a device, or a
 * file of gigabytes (sparse or not).
 */
function readSmallFile(path: string, limit: number = MAX_RECORD_BYTES): Read {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { missing: true };
    if (code === 'ENXIO') return { problem: 'not a regular file (a socket)' };
    throw e;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { problem: `not a regular file (${kindOf(st)})` };
    // A record is under the limit; a tile may reach it.
    const max = limit === MAX_RECORD_BYTES ? limit - 1 : limit;
    const what = limit === MAX_RECORD_BYTES ? 'any record' : 'anything stored at this key';
    if (st.size > max) return { problem: `${st.size} bytes, larger than ${what} (at most ${max} bytes)` };
    // Records use the shared scratch buffer; a (rarer, larger) tile gets its own. One byte more than
    // the file shows is asked for, so a file that grew since fstat is caught without reading it all.
    const buf = limit === MAX_RECORD_BYTES ? scratch : Buffer.allocUnsafe(st.size + 1);
    const want = Math.min(buf.length, st.size + 1);
    let n = 0;
    for (;;) {
      const k = readSync(fd, buf, n, want - n, n);
      n += k;
      if (k === 0 || n >= want) break;
    }
    if (n > st.size) return { problem: `it grew while being read (more than ${st.size} bytes); not ${what}` };
    return { bytes: Buffer.from(buf.subarray(0, n)) };
  } finally {
    closeSync(fd);
  }
}

/** The error for a key that holds something other than a record file (exit 1: the store was tampered with). */
function notARecord(key: string, path: string, problem: string): GateError {
  return new GateError('E_CHAIN_BROKEN', `${key} is ${problem.startsWith('not ') ? '' : 'not a record: '}${problem}`, {
    where: path,
    hint: 'something other than a record sits at this key: run `model-gate audit verify` on this store',
  });
}

async function fsyncDir(dir: string): Promise<void> {
  const h = await fsp.open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

export class FileStore implements AuditStore {
  readonly displayUrl: string;

  /** @param root the store directory (absolute or relative to the process's cwd). */
  constructor(readonly root: string, displayUrl?: string) {
    this.displayUrl = displayUrl ?? root;
  }

  /** Creates the directories if needed and checks that they are writable. */
  async checkAppendable(): Promise<void> {
    for (const dir of ['entries', 'checkpoints']) {
      const path = join(this.root, dir);
      try {
        await fsp.mkdir(path, { recursive: true });
        await fsp.access(path, constants.W_OK);
      } catch (e) {
        throw fsError(e, 'cannot write to the audit store', path);
      }
    }
  }

  async create(key: string, bytes: Uint8Array): Promise<CreateResult> {
    checkKey(key);
    const final = join(this.root, key);
    const dir = join(final, '..');
    const tmp = join(dir, `.tmp-${process.pid}-${randomBytes(8).toString('hex')}`);
    try {
      // A writer that lost the race learns it here without paying for a write and fsync.
      const taken = readSmallFile(final, limitFor(key));
      if ('problem' in taken) throw notARecord(key, final, taken.problem);
      if ('bytes' in taken) return await this.taken(dir, taken.bytes, bytes);
      // Tiles nest (tile/0/x001/234.p/5), index slots too: their directories appear on first use.
      if (key.startsWith('tile/') || key.startsWith('index/')) await fsp.mkdir(dir, { recursive: true });
      const h = await fsp.open(tmp, 'wx', 0o600);
      try {
        await h.writeFile(bytes);
        // Read-only before it becomes visible: a record is never edited in place by accident.
        await h.chmod(0o444);
        await h.sync();
      } finally {
        await h.close();
      }
      try {
        await fsp.link(tmp, final);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const existing = readSmallFile(final, limitFor(key));
        if ('problem' in existing) throw notARecord(key, final, existing.problem);
        if (!('bytes' in existing)) throw e; // deleted in between: let the caller retry
        return await this.taken(dir, existing.bytes, bytes);
      }
      await fsyncDir(dir);
      return { created: true };
    } catch (e) {
      if (e instanceof GateError) throw e;
      throw fsError(e, `cannot write ${key}`, final);
    } finally {
      await fsp.unlink(tmp).catch(() => undefined);
    }
  }

  /**
   * The key is taken. When by our own bytes this is a retry after an earlier
   * attempt whose directory fsync may have failed: fsync now, since the
   * caller will report success.
   */
  private async taken(dir: string, existing: Buffer, bytes: Uint8Array): Promise<CreateResult> {
    if (existing.equals(bytes)) await fsyncDir(dir);
    return { created: false, existing };
  }

  /** The record's bytes, or null; E_CHAIN_BROKEN (exit 1) when the key holds something that cannot be a record. */
  async read(key: string): Promise<Uint8Array | null> {
    const got = this.readKey(key);
    if ('problem' in got) throw notARecord(key, join(this.root, key), got.problem);
    return 'bytes' in got ? got.bytes : null;
  }

  private readKey(key: string): Read {
    checkKey(key);
    const path = join(this.root, key);
    try {
      return readSmallFile(path, limitFor(key));
    } catch (e) {
      throw fsError(e, `cannot read ${key}`, path);
    }
  }

  async list(dir: StoreDir): Promise<string[]> {
    const path = join(this.root, dir);
    let names: string[];
    try {
      names = await fsp.readdir(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        await this.assertRootExists();
        return [];
      }
      throw fsError(e, `cannot list ${dir}`, path);
    }
    return names.filter((n) => NAME_RE[dir].test(n)).sort().map((n) => `${dir}/${n}`);
  }

  /**
   * The directory's keys as a compact index, read entry by entry: a million
   * names are never held as strings at once (they were the verifier's
   * largest allocation on a long log).
   */
  async listIndex(dir: StoreDir): Promise<KeyIndex> {
    const path = join(this.root, dir);
    const index = new KeyIndexBuilder(dir);
    let handle;
    try {
      handle = await fsp.opendir(path, { bufferSize: 512 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        await this.assertRootExists();
        return index.build();
      }
      throw fsError(e, `cannot list ${dir}`, path);
    }
    try {
      for await (const entry of handle) index.addName(entry.name);
    } catch (e) {
      throw fsError(e, `cannot list ${dir}`, path);
    }
    return index.build();
  }

  async inspect(key: string): Promise<KeyInspection> {
    const got = this.readKey(key);
    if ('problem' in got) return { bytes: null, laterVersions: [], problem: got.problem };
    return { bytes: 'bytes' in got ? got.bytes : null, laterVersions: [] };
  }

  private async assertRootExists(): Promise<void> {
    try {
      const st = await fsp.stat(this.root);
      if (st.isDirectory()) return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw fsError(e, 'cannot open the audit store', this.root);
    }
    throw new GateError('E_NOT_FOUND', 'the audit store directory does not exist', {
      where: this.displayUrl,
      hint: 'check the --store path (a log is created by its first `model-gate audit append`)',
    });
  }
}
