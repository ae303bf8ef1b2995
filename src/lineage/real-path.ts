import { realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * The canonical path of `abs` with every symbolic link resolved, also when
 * `abs` (or some of its last components) does not exist yet: the deepest
 * existing ancestor is resolved and the missing components are appended.
 * `abs` must be absolute and normalised (`path.resolve` output).
 */
export function realPathAllowingMissing(abs: string): string {
  try {
    return realpathSync.native(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const parent = dirname(abs);
    if ((code === 'ENOENT' || code === 'ENOTDIR') && parent !== abs) {
      return join(realPathAllowingMissing(parent), basename(abs));
    }
    return abs; // unreadable or a loop: compare it as written; writing will report the error
  }
}
