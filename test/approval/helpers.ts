/**
 * Test helpers: real ssh-keygen keys and signatures in a temp dir, and a
 * pull request's facts to vary per scenario.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildStatement, statementBytes } from '../../src/approval/statement.js';
import { APPROVAL_NAMESPACE, type PullRequestFacts, type ReviewFact } from '../../src/approval/types.js';
import { sshKeygen, sshSignWith } from '../helpers/ssh-keys.js';

export const HEAD = '4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e';
export const OLD_HEAD = '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b';
export const BASE = '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c';
export const DIGEST_A = `sha256:${'a'.repeat(64)}` as const;
export const DIGEST_B = `sha256:${'b'.repeat(64)}` as const;

export interface TestKey {
  path: string;
  pub: string;
}

/** A temp dir of ssh-keygen keys; call `cleanup()` in afterAll. */
export class KeyRing {
  readonly dir = mkdtempSync(join(tmpdir(), 'mrg-keys-'));
  private readonly keys = new Map<string, TestKey>();

  /** Generates (once) a key: `ed25519`, `ecdsa`, `ecdsa-384`, `ecdsa-521`, `rsa`. */
  key(name: string, type = 'ed25519'): TestKey {
    const existing = this.keys.get(name);
    if (existing) return existing;
    const path = join(this.dir, name);
    const key = { path, pub: sshKeygen(path, name, type) };
    this.keys.set(name, key);
    return key;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** `ssh-keygen -Y sign` of the bytes (stdin → armored signature on stdout). */
export function sshSign(key: TestKey, data: Buffer | string, namespace = APPROVAL_NAMESPACE, extra: string[] = []): string {
  return sshSignWith(key.path, data, namespace, extra);
}

/** The facts of a typical release PR: dave opened it; alice, bob, carol may review. */
export function baseFacts(over: Partial<PullRequestFacts> = {}): PullRequestFacts {
  return {
    repository: 'acme/models',
    repository_id: 4242,
    pull_request: 12,
    base_ref: 'main',
    base_sha: BASE,
    head_sha: HEAD,
    author: 'dave',
    commit_authors: ['dave'],
    changed_files: ['models/fraud/model.pt', 'models/fraud/metadata.json'],
    artifacts: [{ path: 'models/fraud/model.pt', digest: DIGEST_A }],
    lineage_digest: DIGEST_B,
    teams: {
      'acme/senior-developers': ['alice', 'bob'],
      'acme/risk-managers': ['bob', 'carol'],
    },
    reviews: [],
    signing_keys: {},
    ...over,
  };
}

export const USER_IDS: Record<string, number> = { alice: 101, bob: 102, carol: 103, dave: 104, erin: 105, 'renovate[bot]': 9001 };

/** An unsigned review. */
export function review(login: string, over: Partial<ReviewFact> = {}): ReviewFact {
  return { login, user_id: Object.hasOwn(USER_IDS, login) ? USER_IDS[login] : 999, state: 'APPROVED', commit_id: HEAD, body: 'LGTM', ...over };
}

/**
 * A review whose body carries the statement line and the ssh-keygen
 * signature over it, the way `model-gate approve` writes it.
 */
export function signedReview(
  facts: PullRequestFacts,
  login: string,
  key: TestKey,
  opts: { role?: string; namespace?: string; statementFacts?: Partial<PullRequestFacts>; over?: Partial<ReviewFact>; withStatement?: boolean } = {},
): ReviewFact {
  const id = Object.hasOwn(USER_IDS, login) ? USER_IDS[login] : 999;
  const statement = buildStatement({ ...facts, ...opts.statementFacts }, { login, id }, opts.role);
  const bytes = statementBytes(statement);
  const sig = sshSign(key, bytes, opts.namespace);
  const body = `${opts.withStatement === false ? '' : `${bytes.toString('utf8')}\n`}${sig}`;
  return review(login, { body, ...opts.over });
}
