/**
 * The keys of the people who may not approve (the pull request's author,
 * the release actor, and commit authors and co-authors unless the policy
 * lets them): an approval signed with one of them is that person's, whatever
 * account posted it. Without this, an author who registers their own key on
 * a second account approves their own model through it. Pure.
 */
import { matchPatternList, parseAllowedSigners } from './allowed-signers.js';
import { noreplyIdentity } from './authors.js';
import { jwkIdentity, keyIdentity } from './key-identity.js';
import { jwkBelongsTo } from './jws-approval.js';
import { parsePublicKeyLineCached } from './ssh-key.js';
import type { KeySource, PullRequestFacts } from './types.js';
import { own } from './own-property.js';

/** Whose key it is, and why they may not approve. */
export interface BarredKey {
  login: string;
  /** `author`: never approves; `commit`: a commit author or co-author (allow_commit_authors lifts it). */
  as: 'author' | 'release-actor' | 'commit-author' | 'co-author';
}

/** The logins that may not approve, with why (first reason wins). */
function barredPeople(facts: PullRequestFacts, allowCommitAuthors: boolean): Map<string, BarredKey> {
  const out = new Map<string, BarredKey>();
  const add = (login: string | undefined, as: BarredKey['as']): void => {
    if (!login) return;
    const k = login.toLowerCase();
    if (!out.has(k)) out.set(k, { login, as });
  };
  add(facts.author, 'author');
  add(facts.release_actor, 'release-actor');
  if (!allowCommitAuthors) {
    for (const a of facts.commit_authors) add(a, 'commit-author');
    for (const c of facts.co_authors ?? []) add(noreplyIdentity(c.email)?.login ?? c.login, 'co-author');
  }
  return out;
}

/**
 * key identity → whose it is, over the key sources of one rule. Every entry
 * of an allowed-signers file naming the person counts, whatever its
 * namespace or validity limits (the key is theirs either way).
 */
export function barredKeys(facts: PullRequestFacts, sources: readonly KeySource[], allowCommitAuthors: boolean): Map<string, BarredKey> {
  const people = barredPeople(facts, allowCommitAuthors);
  const out = new Map<string, BarredKey>();
  const add = (id: string | undefined, who: BarredKey): void => {
    if (id !== undefined && !out.has(id)) out.set(id, who);
  };
  for (const s of sources) {
    if (s.kind === 'github') {
      for (const [login, lines] of Object.entries(facts.signing_keys)) {
        const who = people.get(login.toLowerCase());
        if (!who) continue;
        for (const line of lines) {
          try {
            add(keyIdentity(parsePublicKeyLineCached(line).key), who);
          } catch {
            // an unusable key signs nothing
          }
        }
      }
    } else if (s.kind === 'allowed-signers') {
      const text = own(facts.allowed_signers, s.path);
      if (text === undefined) continue;
      for (const entry of parseAllowedSigners(text).signers) {
        if (!entry.key) continue;
        for (const who of people.values()) if (matchPatternList(entry.principals, who.login)) add(keyIdentity(entry.key.key), who);
      }
    } else {
      const keys = (own(facts.jwks, s.path) as { keys?: unknown[] } | undefined)?.keys ?? [];
      for (const jwk of keys as Array<Record<string, unknown>>) {
        for (const who of people.values()) if (jwkBelongsTo(jwk, who.login)) add(jwkIdentity(jwk as never), who);
      }
    }
  }
  return out;
}

/** Why an approval signed with a barred key does not count. */
export function barredReason(login: string, fingerprint: string | undefined, who: BarredKey): string {
  const head = `${login}'s approval was signed with key ${fingerprint ?? '(unknown)'}, which is also ${who.login}'s`;
  switch (who.as) {
    case 'author':
      return `${head} (the pull request's author): it counts as the author's, and the author never counts`;
    case 'release-actor':
      return `${head} (who triggered the release workflow): it counts as the author's, and the author never counts`;
    case 'commit-author':
      return `${head} (a commit author): it counts as theirs, and commit authors do not approve (allow_commit_authors: true lets them)`;
    case 'co-author':
      return `${head} (a co-author): it counts as theirs, and commit authors do not approve (allow_commit_authors: true lets them)`;
  }
}
