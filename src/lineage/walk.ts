import { isUtf8 } from 'node:buffer';
import { lstatSync, readdirSync, statSync, type Dirent, type Stats } from 'node:fs';
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
  /** Bytes, when known (see {@link statSizes}). */
  size?: number;
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
  /** Told of each file as it is found, so hashing can start before the listing ends. */
  onFile?: (file: WalkedFile) => void;
}

/**
 * Lists every regular file under `root`, refusing anything dirHash1 cannot
 * state faithfully: symbolic links (unless followed), FIFOs, sockets,
 * devices, names with a newline, backslash or carriage return, and names that
 * are not valid UTF-8 (metadata.json could not carry them).
 *
 * Types come from the directory entries themselves (no stat per file: on
 * 10,000 files that is most of the listing's cost); sizes are added by
 * {@link statSizes} only when they are needed. Synchronous on purpose:
 * listing is metadata-only, and the hashing that follows is what runs in
 * parallel (where each file is checked again through its open descriptor).
 */
export function walkDirectory(root: string, opts: WalkOptions = {}): WalkedFile[] {
  const display = opts.display ?? root;
  const out: WalkedFile[] = [];
  const ancestors = new Set<string>();
  const rootStat = statOrThrow(root, display, true);
  const found = (f: WalkedFile): void => {
    out.push(f);
    opts.onFile?.(f);
  };
  visit(root, '', rootStat);
  return out;

  function visit(dirAbs: string, dirRel: string, dirStat: Stats | undefined): void {
    // Without following links a directory cannot contain itself; with them it can.
    const id = dirStat ? `${dirStat.dev}:${dirStat.ino}` : undefined;
    if (id !== undefined && ancestors.has(id)) {
      throw new GateError('E_UNSUPPORTED_FILE_TYPE', 'symbolic link cycle: this directory contains itself', {
        where: join(display, dirRel),
        hint: 'remove the link that points back up the tree',
      });
    }
    if (id !== undefined) ancestors.add(id);
    let entries: Dirent[];
    try {
      entries = readdirSync(dirAbs, { withFileTypes: true });
    } catch (e) {
      throw fsError(e, join(display, dirRel));
    }
    for (const ent of entries) {
      const name = ent.name;
      // Names that are not UTF-8 come back with U+FFFD in place of the bad
      // bytes; only then is the directory read again as bytes to tell them
      // from a name that really holds U+FFFD (most directories never are).
      if (name.includes('\uFFFD')) checkUtf8Names(dirAbs, join(display, dirRel));
      const rel = dirRel === '' ? name : `${dirRel}/${name}`;
      // A name from readdir is never empty, '.', '..' nor holds '/': only these can make it unsafe.
      if (name.includes('\n') || name.includes('\\') || name.includes('\r')) {
        const reason = unsafeNameReason(rel)!;
        throw new GateError('E_UNSAFE_NAME', `file name ${JSON.stringify(name)} ${reason}`, {
          where: JSON.stringify(join(display, rel)),
          hint: 'rename it: sha256sum escapes such names, so dirHash1 cannot state them unambiguously',
        });
      }
      const abs = `${dirAbs}/${name}`;
      if (ent.isFile()) {
        found({ rel, abs });
        continue;
      }
      if (ent.isDirectory()) {
        visit(abs, rel, opts.followSymlinks ? statOrThrow(abs, join(display, rel), true) : undefined);
        continue;
      }
      if (ent.isSymbolicLink()) {
        if (!opts.followSymlinks) throw unsupportedType('symbolic link', join(display, rel));
        const st = statOrThrow(abs, join(display, rel), true);
        const kind = kindOf(st);
        if (kind === 'file') found({ rel, abs, size: st.size });
        else if (kind === 'directory') visit(abs, rel, st);
        else throw unsupportedType(kind, join(display, rel));
        continue;
      }
      const kind = ent.isFIFO() ? 'FIFO' : ent.isSocket() ? 'socket' : ent.isBlockDevice() || ent.isCharacterDevice() ? 'device' : 'unknown';
      throw unsupportedType(kind, join(display, rel));
    }
    if (id !== undefined) ancestors.delete(id);
  }
}

/** Refuses a directory entry whose name is not valid UTF-8 (metadata.json could not carry it). */
function checkUtf8Names(dirAbs: string, where: string): void {
  let raw: Buffer[];
  try {
    raw = readdirSync(dirAbs, { encoding: 'buffer' });
  } catch (e) {
    throw fsError(e, where);
  }
  for (const name of raw) {
    if (!isUtf8(name)) {
      throw new GateError('E_UNSAFE_NAME', 'file name is not valid UTF-8', {
        where: join(where, JSON.stringify(name.toString('latin1'))),
        hint: 'rename the file: metadata.json records names as UTF-8 text',
      });
    }
  }
}

/** Fills in the sizes the listing left out (for progress totals and scheduling). */
export function statSizes(files: WalkedFile[], display: string): void {
  for (const f of files) {
    if (f.size !== undefined) continue;
    try {
      f.size = statSync(f.abs).size;
    } catch (e) {
      throw fsError(e, join(display, f.rel));
    }
  }
}

function statOrThrow(abs: string, where: string, follow: boolean): Stats {
  try {
    return follow ? statSync(abs) : lstatSync(abs);
  } catch (e) {
    throw fsError(e, where);
  }
}
