/**
 * Where the changed models and their metadata.json live, and which repository
 * path a path written in a metadata.json names. Shared by the automated
 * checks and the head-commit checks so both judge the same files.
 */
import { posix } from 'node:path';
import type { PullRequestFacts } from './types.js';
import { own } from './own-property.js';

export const dirOf = (p: string): string => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
export const joinPath = (dir: string, name: string): string => (dir ? `${dir}/${name}` : name);
export const baseName = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

/** A directory holding changed models (or a changed metadata.json) and the models changed in it. */
export interface ModelDir {
  dir: string;
  models: string[];
}

/**
 * Groups the changed protected model files and metadata.json files by
 * directory (a metadata.json describes the model beside it), sorted by path.
 */
export function modelDirs(changed: readonly string[], isProtected: (p: string) => boolean, isModel: (p: string) => boolean): ModelDir[] {
  const dirs = new Map<string, ModelDir>();
  for (const path of changed) {
    if (!isProtected(path)) continue;
    const isMeta = baseName(path) === 'metadata.json';
    if (!isMeta && !isModel(path)) continue;
    const d = dirOf(path);
    const entry = dirs.get(d) ?? { dir: d, models: [] };
    if (!isMeta) entry.models.push(path);
    dirs.set(d, entry);
  }
  return [...dirs.values()].sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
}

/** The metadata.json of a model directory, keyed in the facts by its own path or by a model's path. */
export function lookupMetadata(d: ModelDir, facts: PullRequestFacts): { path: string; value: unknown } | undefined {
  const metaPath = joinPath(d.dir, 'metadata.json');
  const all = facts.metadata ?? {};
  const byMeta = own(all, metaPath);
  if (byMeta != null) return { path: metaPath, value: byMeta };
  for (const m of d.models) {
    const byModel = own(all, m);
    if (byModel != null) return { path: metaPath, value: byModel };
  }
  return undefined;
}

/** What a path written in a metadata.json can name. */
export type LineageTarget =
  /** A URL (`s3://...`, `https://...`) or a path outside the repository: nothing in the commit to hash. */
  | { external: true; written: string }
  /** Repository paths it may mean, most likely first: relative to the metadata.json's directory, then to the root. */
  | { external: false; written: string; candidates: string[] };

/**
 * The repository paths a metadata.json path may name. lineage records paths
 * relative to the working directory of the release job (usually the
 * repository root), and a hand-written one may be relative to the
 * metadata.json itself; both readings are exact paths (Git's paths are
 * case-sensitive), never a match by file name alone.
 */
export function lineageTarget(written: string, metaDir: string): LineageTarget {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(written) || written.startsWith('/')) return { external: true, written };
  const candidates: string[] = [];
  for (const raw of [joinPath(metaDir, written), written]) {
    const p = posix.normalize(raw);
    if (p === '..' || p.startsWith('../') || p === '.') continue;
    if (!candidates.includes(p)) candidates.push(p);
  }
  return candidates.length === 0 ? { external: true, written } : { external: false, written, candidates };
}
