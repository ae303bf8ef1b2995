/**
 * Who else wrote a pull request's commits (pure): `Co-authored-by:` trailers
 * in the commit messages, as GitHub reads them ("Co-authored-by: name
 * <email>", one per line, case-insensitive key), and the GitHub login a
 * noreply address names (`ID+login@users.noreply.github.com`, or the older
 * `login@users.noreply.github.com`). A co-author may not approve: the
 * evaluator matches them against the approvers.
 */
import type { Trailer } from './pull-request-source.js';

/**
 * Every `Co-authored-by:` line of a commit message. Read anywhere in the
 * message, not only in the last paragraph: reading too many co-authors can
 * only exclude an approver, never let one in.
 */
export function coAuthorTrailers(message: string): Trailer[] {
  const out: Trailer[] = [];
  for (const line of message.split(/\r?\n/)) {
    const m = /^\s*co-authored-by:\s*(.*?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/i.exec(line);
    if (m) out.push({ name: m[1], email: m[2] });
  }
  return out;
}

/** The login a GitHub noreply address stands for, or null for any other address. */
export function noreplyLogin(email: string): string | null {
  const m = /^(?:(\d+)\+)?([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\[bot\])?)@users\.noreply\.github\.com$/i.exec(email.trim());
  return m ? m[2] : null;
}

/** One trailer per address (case-insensitive), in first-seen order. */
export function uniqueByEmail(trailers: Trailer[]): Trailer[] {
  const seen = new Set<string>();
  return trailers.filter((t) => {
    const k = t.email.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
