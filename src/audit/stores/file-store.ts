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
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { GateError } from '../../core/errors.js';
import { MAX_RECORD_BYTES } from '../record.js';
import { isStoreKey, type AuditStore, type CreateResult, type KeyInspection, type StoreDir } from '../store.js';

const NAME_RE = { entries: /^\d{20}\.json$/, checkpoints: /^\d{20}\.(jws|note)$/ } as const;
/** Errors a retry may cure (the disk or the process table was momentarily full). */
const TRANSIENT = new Set(['EAGAIN', 'EBUSY', 'EINTR', 'EMFILE', 'ENFILE', 'ETIMEDOUT']);
/** Larger than any record or checkpoint; a bigger file is read in full anyway. */
const READ_CHUNK = MAX_RECORD_BYTES + 1;
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

/**
 * Reads a small file with plain synchronous calls. For records (well under
 * 64 KiB, usually in the page cache) one open/read/close costs less than a
 * round trip through libuv's thread pool, which measured at a third of the
 * rate; the event loop is held for microseconds per record.
 */
function readSmallFile(path: string): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const n = readSync(fd, scratch, 0, READ_CHUNK, 0);
    if (n < READ_CHUNK) return Buffer.from(scratch.subarray(0, n));
    // Oversized (not written by us): read it whole so the verifier sees what is there.
    const size = fstatSync(fd).size;
    const all = Buffer.allocUnsafe(size);
    let off = 0;
    while (off < size) {
      const k = readSync(fd, all, off, size - off, off);
      if (k === 0) break;
      off += k;
    }
    return all.subarray(0, off);
  } finally {
    closeSync(fd);
  }
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
      const taken = readSmallFile(final);
      if (taken !== null) return await this.taken(dir, taken, bytes);
      // Tiles nest (tile/0/x001/234.p/5): their directories appear on first use.
      if (key.startsWith('tile/')) await fsp.mkdir(dir, { recursive: true });
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
        const existing = readSmallFile(final);
        if (existing === null) throw e; // deleted in between: let the caller retry
        return await this.taken(dir, existing, bytes);
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

  async read(key: string): Promise<Uint8Array | null> {
    checkKey(key);
    const path = join(this.root, key);
    try {
      return readSmallFile(path);
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

  async inspect(key: string): Promise<KeyInspection> {
    return { bytes: await this.read(key), laterVersions: [] };
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
