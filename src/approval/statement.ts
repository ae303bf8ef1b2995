/**
 * The approval statement (docs/design.md §4): the exact bytes an approver signs.
 * It binds the approval to this repository, pull request, base and head
 * commits, artifact digests and lineage digest, so a new push (new head) or a
 * changed artifact makes old signatures stop counting by construction.
 */
import { canonicalJson } from '../core/canonical-json.js';
import { GateError } from '../core/errors.js';
import type { ApprovalStatement, PullRequestFacts } from './types.js';

/** Byte-wise (code unit) comparison, so the order never depends on a locale. */
function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** Who approves: the login as GitHub spells it and the numeric user id. */
export interface Approver {
  login: string;
  id: number;
}

/**
 * Builds the statement for one approver of the pull request described by
 * `facts`. With `role`, the signed approval can fill only that role.
 */
export function buildStatement(
  facts: Pick<
    PullRequestFacts,
    'repository' | 'repository_id' | 'pull_request' | 'base_sha' | 'head_sha' | 'artifacts' | 'lineage_digest'
  >,
  approver: Approver,
  role?: string,
): ApprovalStatement {
  const statement: ApprovalStatement = {
    v: 1,
    type: 'model-release-approval',
    repository: facts.repository,
    repository_id: facts.repository_id,
    pull_request: facts.pull_request,
    base_sha: facts.base_sha,
    head_sha: facts.head_sha,
    artifacts: facts.artifacts.map((a) => ({ path: a.path, digest: a.digest })).sort(byPath),
    lineage_digest: facts.lineage_digest ?? null,
    approver: { login: approver.login, id: approver.id },
    decision: 'approve',
  };
  if (role !== undefined) statement.role = role;
  return statement;
}

/**
 * The bytes to sign: RFC 8785 canonical JSON in UTF-8, with no trailing
 * newline (so `model-gate approval statement > s.json; ssh-keygen -Y sign
 * -n model-release-gate@v1 -f KEY s.json` signs exactly these bytes).
 */
export function statementBytes(statement: ApprovalStatement): Buffer {
  return Buffer.from(canonicalJson(statement), 'utf8');
}

/**
 * The statement bytes for many approvers of one pull request, without
 * re-canonicalising the shared part (artifacts can be long) for each one.
 * RFC 8785 writes an object as its members in key order, so the text is the
 * members' canonical values joined in the fixed order of the statement's keys;
 * a property test checks it equals `statementBytes(buildStatement(...))`.
 */
export class StatementTemplate {
  private readonly before: string;
  private readonly after: string;

  constructor(facts: Parameters<typeof buildStatement>[0]) {
    const s = buildStatement(facts, { login: '', id: 0 });
    const c = canonicalJson;
    // Keys in RFC 8785 order: approver, artifacts, base_sha, decision, head_sha,
    // lineage_digest, pull_request, repository, repository_id, [role], type, v.
    this.before = `,"artifacts":${c(s.artifacts)},"base_sha":${c(s.base_sha)},"decision":"approve","head_sha":${c(s.head_sha)},"lineage_digest":${c(s.lineage_digest)},"pull_request":${c(s.pull_request)},"repository":${c(s.repository)},"repository_id":${c(s.repository_id)}`;
    this.after = `,"type":"model-release-approval","v":1}`;
  }

  bytes(approver: Approver, role?: string): Buffer {
    const head = `{"approver":${canonicalJson({ id: approver.id, login: approver.login })}`;
    const r = role === undefined ? '' : `,"role":${canonicalJson(role)}`;
    return Buffer.from(head + this.before + r + this.after, 'utf8');
  }
}

/**
 * Finds the approver's numeric id and GitHub's spelling of the login in the
 * facts (their review, else `user_ids`); logins compare case-insensitively,
 * as GitHub's do.
 */
export function findApprover(facts: PullRequestFacts, login: string, id?: number): Approver {
  const wanted = login.toLowerCase();
  const review = facts.reviews.find((r) => r.login.toLowerCase() === wanted);
  if (review) return { login: review.login, id: id ?? review.user_id };
  const known = Object.entries(facts.user_ids ?? {}).find(([l]) => l.toLowerCase() === wanted);
  if (known) return { login: known[0], id: id ?? known[1] };
  if (id !== undefined) return { login, id };
  throw new GateError('E_INPUT', `no GitHub user id known for ${login}`, {
    where: 'facts.reviews / facts.user_ids',
    hint: `pass --user-id (see https://api.github.com/users/${login}) or add "user_ids": {"${login}": <id>} to the facts`,
  });
}
