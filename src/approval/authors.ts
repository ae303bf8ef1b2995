/**
 * Who wrote the change, beyond the pull request's author: co-authors named
 * in `Co-authored-by:` trailers, and the person a release PR was opened for.
 * Pure matching; the gatherer reads the trailers and resolves what it can.
 */
import type { CoAuthorFact, ReviewFact } from './types.js';

/**
 * GitHub's noreply addresses: `ID+login@users.noreply.github.com` (accounts
 * since 2017; the id survives a rename) and `login@users.noreply.github.com`.
 * Matched exactly (a lookalike domain is just another address).
 */
const NOREPLY = /^(?:(\d+)\+)?([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))@users\.noreply\.github\.com$/i;

/** The GitHub account a noreply address names, or undefined for any other address. */
export function noreplyIdentity(email: string): { id?: number; login: string } | undefined {
  const m = NOREPLY.exec(email.trim());
  if (!m) return undefined;
  return { ...(m[1] ? { id: Number(m[1]) } : {}), login: m[2] };
}

/**
 * The co-author trailer that names the reviewer, if any: a noreply address
 * with their login or their numeric id, or an address the gatherer resolved
 * to their login. Names never match (anyone can write any name).
 */
export function coAuthorMatch(review: Pick<ReviewFact, 'login' | 'user_id'>, coAuthors: readonly CoAuthorFact[] | undefined): CoAuthorFact | undefined {
  const login = review.login.toLowerCase();
  return (coAuthors ?? []).find((c) => {
    const who = noreplyIdentity(c.email);
    if (who && (who.login.toLowerCase() === login || (who.id !== undefined && who.id === review.user_id))) return true;
    return typeof c.login === 'string' && c.login.toLowerCase() === login;
  });
}
