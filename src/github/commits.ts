/** Who wrote a pull request's commits, from GitHub's commit list. */
import { coAuthorTrailers, uniqueByEmail } from '../approval/co-author-trailers.js';
import type { CommitPeople, Trailer } from '../approval/pull-request-source.js';
import type { UnlinkedAuthorFact } from '../approval/types.js';
import type { Json } from './client.js';

/** The logins of the commits' authors and committers, sorted. */
export function commitLogins(rows: Json[]): string[] {
  const logins = new Set<string>();
  for (const c of rows) {
    for (const who of [c.author, c.committer] as Array<Json | null>) {
      if (who && typeof who.login === 'string') logins.add(who.login);
    }
  }
  return [...logins].sort();
}

/** The commits' `Co-authored-by:` trailers, and the commits whose author email links to no account. */
export function commitPeople(rows: Json[]): CommitPeople {
  const trailers: Trailer[] = [];
  const unlinked: UnlinkedAuthorFact[] = [];
  for (const c of rows) {
    const commit = (c.commit ?? {}) as Json;
    trailers.push(...coAuthorTrailers(typeof commit.message === 'string' ? commit.message : ''));
    // `author` is the account GitHub linked the author's email to; null when none.
    if (!c.author) {
      const a = (commit.author ?? {}) as Json;
      unlinked.push({ sha: String(c.sha), name: String(a.name ?? ''), email: String(a.email ?? '') });
    }
  }
  return { co_authors: uniqueByEmail(trailers), unlinked };
}
