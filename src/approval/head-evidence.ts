/**
 * The head commit's evidence for the gate: every changed protected file and
 * every artifact the lineage names, as the commit itself holds it
 * ({@link HeadFileFact}), and the lineage (metadata.json) read from its
 * bytes. The artifacts the approvers sign are the digests computed here,
 * never metadata.json's claims: a metadata.json that names digest B for a
 * file that hashes to A gives the artifact A (and the evaluator refuses the
 * disagreement).
 */
import type { Digest } from '../core/digest.js';
import type { ArtifactFact, ChangedFile, HeadFileFact } from './types.js';
import { pathMatcher } from './path-match.js';
import { readHeadFile, type GitObjectSource, type ReadHeadFile } from './read-head-file.js';

/** What the head holds, for the facts. */
export interface HeadEvidence {
  head_files: HeadFileFact[];
  /** Lineage-named artifacts that are regular files or LFS pointers, with the digests computed from the commit. */
  artifacts: ArtifactFact[];
  /** SHA-256 of the first metadata.json's bytes (by path, byte order), or null. */
  lineage_digest: Digest | null;
  /** Parsed metadata.json by its path (the text when it is not JSON). */
  metadata: Record<string, unknown>;
  /** LFS pointer oids by path. */
  lfs_oids: Record<string, Digest>;
}

/** What to read: the changed protected files, and where models live. */
export interface EvidenceNeeds {
  /** Changed paths the applicable rules protect (both sides of a rename). */
  protectedPaths: string[];
  /** Globs naming model files: the metadata.json beside each changed one is read too. */
  modelGlobs: string[];
}

type Json = Record<string, unknown>;

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The metadata.json files that describe this change: changed ones, and the one beside each changed model. */
export function lineagePaths(changed: ChangedFile[], modelGlobs: string[]): string[] {
  const present = changed.filter((c) => c.status !== 'removed').map((c) => c.filename);
  // The evaluator's own matcher, so no spelling of a model path is missed here that it would judge.
  const isModel = modelGlobs.length > 0 ? pathMatcher(modelGlobs) : () => false;
  const out = new Set(present.filter((p) => p === 'metadata.json' || p.endsWith('/metadata.json')));
  for (const p of present) {
    if (isModel(p)) out.add(p.includes('/') ? `${p.slice(0, p.lastIndexOf('/'))}/metadata.json` : 'metadata.json');
  }
  return [...out].sort(byteOrder);
}

/**
 * A path the lineage names that cannot be a file of this commit (a URL, an
 * absolute path, one that climbs out of the repository): the reason, or null.
 */
function notInRepository(path: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path)) return `it is a URL (${path.split(':')[0]}:), not a file of this commit: the gate hashes only what the commit holds`;
  if (path.startsWith('/')) return 'it is an absolute path, not a file of this commit';
  if (path.split('/').includes('..')) return 'it leaves the repository (..)';
  if (path === '' || path.endsWith('/')) return 'it names no file';
  return null;
}

/**
 * Reads the evidence from commit `head`. Every read error becomes an
 * `unreadable` head file with its reason (fail closed), never a silent skip.
 */
export async function readHeadEvidence(
  git: GitObjectSource,
  head: string,
  changed: ChangedFile[],
  needs: EvidenceNeeds,
): Promise<HeadEvidence> {
  const reads = new Map<string, Promise<ReadHeadFile>>();
  const read = (path: string): Promise<ReadHeadFile> => {
    let r = reads.get(path);
    if (!r) {
      r = readHeadFile(git, head, path);
      reads.set(path, r);
    }
    return r;
  };
  const facts = new Map<string, HeadFileFact>();
  const keep = (f: HeadFileFact) => facts.set(f.path, f);

  const metaPaths = lineagePaths(changed, needs.modelGlobs);
  const changedPaths = new Set(changed.flatMap((c) => (c.previous_filename ? [c.filename, c.previous_filename] : [c.filename])));
  const [protectedReads, metaReads] = await Promise.all([
    Promise.all(needs.protectedPaths.map(read)),
    Promise.all(metaPaths.map(read)),
  ]);
  for (const r of protectedReads) keep(r.fact);

  const out: HeadEvidence = { head_files: [], artifacts: [], lineage_digest: null, metadata: {}, lfs_oids: {} };
  const named: string[] = [];
  for (const [i, p] of metaPaths.entries()) {
    const r = metaReads[i];
    // A metadata.json beside a model that the commit does not have is simply no lineage;
    // one that is there in any other form (symlink, LFS, unreadable) is shown.
    if (r.fact.kind !== 'absent' || changedPaths.has(p)) keep(r.fact);
    if (r.fact.kind !== 'blob' || !r.bytes) continue;
    if (out.lineage_digest === null) out.lineage_digest = r.fact.digest!;
    let meta: Json;
    try {
      meta = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(r.bytes)) as Json;
    } catch {
      // The evaluator's metadata check reports it; nothing to take from it here.
      out.metadata[p] = r.bytes.toString('utf8');
      continue;
    }
    out.metadata[p] = meta;
    const model = meta && typeof meta === 'object' ? (meta.model as Json | undefined) : undefined;
    if (!model || typeof model.path !== 'string') continue;
    const claimed = model.path.replace(/^\.\//, '');
    const why = notInRepository(claimed);
    if (why) {
      keep({ path: claimed, kind: 'unreadable', reason: `${p} names the model ${model.path}, but ${why}` });
      continue;
    }
    // The path is relative to the metadata.json's directory when the commit
    // has a file there, else to the repository root (what `lineage record`
    // writes when run at the root).
    const dir = p.includes('/') ? p.slice(0, p.lastIndexOf('/') + 1) : '';
    let path = claimed;
    if (dir) {
      const relative = await read(`${dir}${claimed}`);
      if (relative.fact.kind !== 'absent') path = `${dir}${claimed}`;
    }
    keep((await read(path)).fact);
    named.push(path);
  }

  // Every changed model is an artifact the approvers sign, with or without a
  // metadata.json naming it: the evaluator refuses a changed model the
  // statement does not cover.
  const isModel = needs.modelGlobs.length > 0 ? pathMatcher(needs.modelGlobs) : () => false;
  for (const c of changed) if (c.status !== 'removed' && isModel(c.filename) && facts.has(c.filename)) named.push(c.filename);
  for (const path of [...new Set(named)].sort(byteOrder)) {
    const f = facts.get(path)!;
    if ((f.kind === 'blob' || f.kind === 'lfs') && f.digest) out.artifacts.push({ path, digest: f.digest });
  }
  for (const f of facts.values()) if (f.kind === 'lfs' && f.digest) out.lfs_oids[f.path] = f.digest;
  out.head_files = [...facts.values()].sort((a, b) => byteOrder(a.path, b.path));
  return out;
}
