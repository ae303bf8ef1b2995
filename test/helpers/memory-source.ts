/**
 * An in-memory PullRequestSource (STYLE.md example 2): the gatherer and the
 * gate run on it without HTTP; it counts which facts were asked for.
 */
import { createHash } from 'node:crypto';
import type { PullInfo, PullRequestSource } from '../../src/approval/pull-request-source.js';
import type { ChangedFile, ReviewFact } from '../../src/approval/types.js';

export interface MemoryPull {
  info: PullInfo;
  files: ChangedFile[];
  reviews?: ReviewFact[];
  teams?: Record<string, string[]>;
  keys?: Record<string, string[]>;
  commitAuthors?: string[];
  /** What commitPeople() answers. */
  people?: { co_authors: Array<{ name: string; email: string }>; unlinked: Array<{ sha: string; name: string; email: string }> };
  /** login → public email. */
  emails?: Record<string, string>;
  /** workflow run id → login that triggered it. */
  runs?: Record<number, string>;
  /** `${ref}:${path}` → text (also what the commit's tree holds there, as a regular file). */
  contents?: Record<string, string>;
  /** `${ref}:${path}` → git mode, for entries that are not regular files. */
  modes?: Record<string, string>;
  /** ancestor → descendants that contain it. */
  ancestry?: Record<string, string[]>;
}

export function memorySource(m: MemoryPull): PullRequestSource & { asked: string[] } {
  const asked: string[] = [];
  const blobs = new Map<string, Buffer>();
  const note = <T>(what: string, v: T): Promise<T> => {
    asked.push(what);
    return Promise.resolve(v);
  };
  return {
    asked,
    pull: () => note('pull', m.info),
    changedFiles: () => note('files', m.files),
    reviews: () => note('reviews', m.reviews ?? []),
    teamMembers: (team, candidates) =>
      note(`team:${team}`, (m.teams?.[team] ?? []).filter((x) => candidates.includes(x))),
    signingKeys: (login) => note(`keys:${login}`, m.keys?.[login] ?? []),
    commitAuthors: () => note('commits', m.commitAuthors ?? []),
    commitPeople: () => note('people', m.people ?? { co_authors: [], unlinked: [] }),
    publicEmail: (login) => note(`email:${login}`, m.emails?.[login] ?? null),
    workflowRunActor: (id) => note(`run:${id}`, m.runs?.[id] ?? null),
    file: (ref, path) => note(`file:${path}`, m.contents?.[`${ref}:${path}`] ?? null),
    branchSha: () => note('branch', m.info.base_sha),
    treeEntry: (commit, path) => {
      const text = m.contents?.[`${commit}:${path}`];
      if (text === undefined) return note(`tree:${path}`, null);
      const mode = m.modes?.[`${commit}:${path}`] ?? '100644';
      const bytes = Buffer.from(text);
      const sha = createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
      blobs.set(sha, bytes);
      return note(`tree:${path}`, { path, mode, type: mode === '160000' ? ('commit' as const) : ('blob' as const), sha, size: bytes.length });
    },
    blob: (sha) => {
      const b = blobs.get(sha);
      return b ? note(`blob:${sha.slice(0, 7)}`, b) : Promise.reject(new Error(`no blob ${sha}`));
    },
    contains: (a, d) => note('contains', a === d || (m.ancestry?.[a] ?? []).includes(d)),
    get requestCount() {
      return asked.length;
    },
    get requestLog() {
      return asked;
    },
  };
}
