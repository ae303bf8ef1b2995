/**
 * An in-memory PullRequestSource (STYLE.md example 2): the gatherer and the
 * gate run on it without HTTP; it counts which facts were asked for.
 */
import type { PullInfo, PullRequestSource } from '../../src/app/github-facts.js';
import type { ChangedFile, ReviewFact } from '../../src/approval/types.js';

export interface MemoryPull {
  info: PullInfo;
  files: ChangedFile[];
  reviews?: ReviewFact[];
  teams?: Record<string, string[]>;
  keys?: Record<string, string[]>;
  commitAuthors?: string[];
  /** `${ref}:${path}` → text. */
  contents?: Record<string, string>;
  /** ancestor → descendants that contain it. */
  ancestry?: Record<string, string[]>;
}

export function memorySource(m: MemoryPull): PullRequestSource & { asked: string[] } {
  const asked: string[] = [];
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
    file: (ref, path) => note(`file:${path}`, m.contents?.[`${ref}:${path}`] ?? null),
    contains: (a, d) => note('contains', a === d || (m.ancestry?.[a] ?? []).includes(d)),
    get requestCount() {
      return asked.length;
    },
    get requestLog() {
      return asked;
    },
  };
}
