import { lstatSync, readdirSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { GateError } from '../core/errors.js';
import { unsafeNameReason } from '../core/dir-hash.js';
import { fsError, kindOf, unsupportedType } from './fs-errors.js';

/** A regular file found under a directory. */
export interface WalkedFile {
  /** Relative to the directory, `/`-separated. */
  rel: string;
  /** Absolute path to open. */
  abs: string;
  size: number;
}

export interface WalkOptions {
  /**
   * Follow symbolic links (to files and directories) instead of refusing
   * them: a link's target is hashed under the link's own path, as
   * `find -L . -type f` lists it. A link cycle is refused.
   */
  followSymlinks?: boolean;
  /** How paths are shown in errors (the path as the user gave it). */
  display?: string;
}

/**
 * Lists every regular file under `root`, refusing anything dirHash1 cannot
 * state faithfully: symbolic links (unless followed), FIFOs, sockets,
 * devices, names with a newline, backslash or carriage return, and names that
 * are not valid UTF-8 (metadata.json could not carry them).
 *
 * Synchronous on purpose: listing is metadata-only and fast, and the
 * hashing that follows is the part that runs in parallel.
 */
export function walkDirectory(root: string, opts: WalkOptions = {}): WalkedFile[] {
  const display = opts.display ?? root;
  const out: WalkedFile[] = [];
  const ancestors = new Set<string>();
  const rootStat = statOrThrow(root, display, true);
  visit(root, '', rootStat);
  return out;

  function visit(dirAbs: string, dirRel: string, dirStat: Stats): void {
    const id = `${dirStat.dev}:${dirStat.ino}`;
    if (ancestors.has(id)) {
      throw new GateError('E_UNSUPPORTED_FILE_TYPE', 'symbolic link cycle: this directory contains itself', {
        where: join(display, dirRel),
        hint: 'remove the link that points back up the tree',
      });
    }
    ancestors.add(id);
    let names: Buffer[];
    try {
      names = readdirSync(dirAbs, { encoding: 'buffer' });
    } catch (e) {
      throw fsError(e, join(display, dirRel));
    }
    for (const raw of names) {
      const name = raw.toString('utf8');
      const rel = dirRel === '' ? name : `${dirRel}/${name}`;
      const where = join(display, rel);
      if (!Buffer.from(name, 'utf8').equals(raw)) {
        throw new GateError('E_UNSAFE_NAME', 'file name is not valid UTF-8', {
          where: join(display, dirRel, JSON.stringify(raw.toString('latin1'))),
          hint: 'rename the file: metadata.json records names as UTF-8 text',
        });
      }
      const reason = unsafeNameReason(rel);
      if (reason) {
        throw new GateError('E_UNSAFE_NAME', `file name ${JSON.stringify(name)} ${reason}`, {
          where: JSON.stringify(where),
          hint: 'rename it: sha256sum escapes such names, so dirHash1 cannot state them unambiguously',
        });
      }
      const abs = join(dirAbs, name);
      let st = statOrThrow(abs, where, false);
      if (st.isSymbolicLink()) {
        if (!opts.followSymlinks) throw unsupportedType('symbolic link', where);
        st = statOrThrow(abs, where, true);
      }
      const kind = kindOf(st);
      if (kind === 'file') out.push({ rel, abs, size: st.size });
      else if (kind === 'directory') visit(abs, rel, st);
      else throw unsupportedType(kind, where);
    }
    ancestors.delete(id);
  }
}

function statOrThrow(abs: string, where: string, follow: boolean): Stats {
  try {
    return follow ? statSync(abs) : lstatSync(abs);
  } catch (e) {
    throw fsError(e, where);
  }
}
