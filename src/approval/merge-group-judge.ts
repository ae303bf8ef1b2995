/**
 * The merge queue's decision (pure): a merge group passes only when every
 * protected file its whole diff (`base_sha...head_sha`) changes is, at the
 * group's head, exactly what a currently approved pull request signed, i.e.
 * the same git object (same bytes, same mode) as at that pull request's
 * approved head, or absent there too when the change is a deletion. One
 * approved pull request in the group can therefore never carry another's
 * unapproved model change.
 */
import type { TreeEntry } from './pull-request-source.js';

/** What one candidate pull request offers: its verdict and its head's entries for the paths it changes. */
export interface Candidate {
  number: number;
  /** Passes the policy of the group's base as a model release. */
  approved: boolean;
  /** The protected paths (of the group's diff) this pull request changes, with its head's entry there. */
  entries: Map<string, TreeEntry | null>;
}

/** Same git object at the same kind of path (both absent counts as the same deletion). */
export function sameEntry(a: TreeEntry | null, b: TreeEntry | null): boolean {
  if (a === null || b === null) return a === b;
  return a.sha === b.sha && a.mode === b.mode;
}

/**
 * Which approved candidate covers each protected path of the group (the
 * first that does, in the candidates' order), and which paths none covers.
 */
export function coverGroup(group: Map<string, TreeEntry | null>, candidates: Candidate[]): { covered: Map<string, number>; uncovered: string[] } {
  const covered = new Map<string, number>();
  for (const c of candidates) {
    if (!c.approved) continue;
    for (const [path, entry] of c.entries) {
      if (!covered.has(path) && group.has(path) && sameEntry(entry, group.get(path)!)) covered.set(path, c.number);
    }
  }
  return { covered, uncovered: [...group.keys()].filter((p) => !covered.has(p)).sort() };
}
