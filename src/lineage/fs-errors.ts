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
