import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fsWriteError } from './fs-errors.js';

/**
 * Writes a file so that readers see either the old content or the whole new
 * one, never a half-written file: a temporary file in the same directory,
 * flushed to disk, then renamed over the target (rename is atomic within a
 * file system). The temporary file is removed if anything fails.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, display = path): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fh;
  try {
    fh = await open(tmp, 'wx', 0o644);
    await fh.writeFile(data);
    await fh.sync();
    await fh.close();
    fh = undefined;
    await rename(tmp, path);
  } catch (e) {
    await fh?.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw fsWriteError(e, path, display);
  }
}
