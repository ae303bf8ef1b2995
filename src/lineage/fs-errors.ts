import { statSync } from 'node:fs';
import { dirname, sep } from 'node:path';
import { GateError } from '../core/errors.js';

/**
 * Turns a Node file-system error into a GateError naming the path and what to
 * do. Missing and unreadable inputs are input errors (exit 2): the user gave a
 * path the gate cannot prove anything about.
 */
export function fsError(e: unknown, path: string): GateError {
  if (e instanceof GateError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new GateError('E_NOT_FOUND', 'no such file or directory', {
        where: path,
        cause: e,
        hint: 'check the path (relative paths are resolved against the working directory)',
      });
    case 'EACCES':
    case 'EPERM':
      return new GateError('E_UNREADABLE', 'permission denied: the file cannot be read', {
        where: path,
        cause: e,
        hint: 'give the user running the gate read access to it',
      });
    case 'ELOOP':
      return new GateError('E_UNSUPPORTED_FILE_TYPE', 'symbolic link loop', { where: path, cause: e });
    case 'ENOTDIR':
      return new GateError('E_NOT_FOUND', 'a component of the path is not a directory', { where: path, cause: e });
    default:
      return new GateError('E_UNREADABLE', `cannot read: ${(e as Error)?.message ?? String(e)}`, {
        where: path,
        cause: e,
      });
  }
}

/**
 * Turns a Node error met while writing `abs` into a GateError that says the
 * file cannot be written and why: a missing directory, a component that is a
 * file, a directory in the way, no permission, a read-only file system, a
 * full disk. `display` is the path as the user wrote it. Exit 2: the user
 * must choose another path or fix this one.
 */
export function fsWriteError(e: unknown, abs: string, display = abs): GateError {
  if (e instanceof GateError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const dir = dirname(display);
  const fail = (message: string, hint: string): GateError =>
    new GateError('E_UNWRITABLE', message, { where: display, cause: e, hint });
  switch (code) {
    case 'ENOENT':
      return fail(`cannot write: the directory ${dir} does not exist`, `create ${dir} first, or write elsewhere`);
    case 'ENOTDIR':
      return fail(`cannot write: ${blockingFile(abs, display)} is not a directory`, 'write elsewhere: a file stands where the path needs a directory');
    case 'EISDIR':
      return fail('cannot write: it is a directory', 'name a file, e.g. DIR/metadata.json');
    case 'EACCES':
    case 'EPERM':
      return fail('permission denied: cannot write here', `give the user running the gate write access to ${dir}, or write elsewhere`);
    case 'EROFS':
      return fail('cannot write: read-only file system', 'write to a writable file system');
    case 'ENOSPC':
    case 'EDQUOT':
      return fail('cannot write: no space left (disk or quota full)', 'free space, or write elsewhere; nothing was written');
    default:
      return fail(`cannot write: ${(e as Error)?.message ?? String(e)}`, 'write elsewhere, or fix the path');
  }
}

/** For ENOTDIR: the first component of `abs` that exists and is not a directory, shown as the user wrote it. */
function blockingFile(abs: string, display: string): string {
  const parts = abs.split(sep);
  for (let i = 2; i < parts.length; i++) {
    const prefix = parts.slice(0, i).join(sep);
    let isDir: boolean;
    try {
      isDir = statSync(prefix).isDirectory();
    } catch {
      break;
    }
    if (!isDir) {
      const shown = display.split('/').slice(0, -(parts.length - i)).join('/');
      return shown === '' ? prefix : shown;
    }
  }
  return dirname(display);
}

/** The refusal of a file that is not a regular file or directory. */
export function unsupportedType(kind: string, path: string): GateError {
  const hint =
    kind === 'symbolic link'
      ? 'replace the link by the file, or pass --follow-symlinks (followSymlinks: true) to hash the target\'s bytes under the link\'s path'
      : 'remove it from the dataset: only regular files and directories can be hashed';
  return new GateError('E_UNSUPPORTED_FILE_TYPE', `${kind} refused: only regular files and directories are hashed`, {
    where: path,
    hint,
  });
}

/** What kind of file a stat result is, in words. */
export function kindOf(st: {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isBlockDevice(): boolean;
  isCharacterDevice(): boolean;
}): 'file' | 'directory' | 'symbolic link' | 'FIFO' | 'socket' | 'device' | 'unknown' {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symbolic link';
  if (st.isFIFO()) return 'FIFO';
  if (st.isSocket()) return 'socket';
  if (st.isBlockDevice() || st.isCharacterDevice()) return 'device';
  return 'unknown';
}
