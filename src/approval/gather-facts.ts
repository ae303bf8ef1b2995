/**
 * The facts the evaluator needs, gathered from a {@link PullRequestSource}
 * (GitHub's in src/github, an in-memory one in tests), fetching only what
 * the policy's {@link FactNeeds} name: a pull request that touches no
 * protected path costs no review, team, key or commit request.
 *
 * Everything fails closed: a list GitHub truncates (3,000 files, 250
 * commits) or an answer that cannot be read raises a GateError, which the
 * App turns into a failing check run.
 */
import { GateError, messageOf } from '../core/errors.js';
import { noreplyLogin } from './co-author-trailers.js';
import { standingReviews } from './evaluate.js';
import { readHeadEvidence } from './head-evidence.js';
import type { FactNeeds, PullInfo, PullRequestSource } from './pull-request-source.js';
import type { CoAuthorFact, PullRequestFacts, ReviewFact } from './types.js';

type Json = Record<string, unknown>;

/**
 * Builds the facts the evaluator needs from a source, fetching only what
 * `needs` names: a PR that touches no protected path costs no review, team,
 * key or commit request.
 */
export async function gatherFacts(
  source: PullRequestSource,
  needs: FactNeeds,
  opts: { /** The commit the policy was read from: key files come from there too (default: the PR's base.sha). */ policySha?: string } = {},
): Promise<PullRequestFacts> {
  const info = await source.pull();
  const changed = await source.changedFiles();
  const facts: PullRequestFacts = {
    repository: info.repository,
    repository_id: info.repository_id,
    pull_request: info.number,
    base_ref: info.base_ref,
    base_sha: info.base_sha,
    head_sha: info.head_sha,
    author: info.author,
    commit_authors: [],
    changed_files: changed,
    artifacts: [],
    lineage_digest: null,
    teams: {},
    reviews: [],
    signing_keys: {},
  };
  if (!needs.release) return facts;

  // The bytes are read from the head commit for every release, whatever the
  // policy checks: the gate judges the commit, not what metadata.json says.
  const [reviews, commitAuthors, evidence] = await Promise.all([
    // Each user's standing review, by the evaluator's own rule, so keys and
    // memberships are fetched for exactly the reviews it will judge.
    source.reviews().then(standingReviews),
    needs.commitAuthors ? source.commitAuthors() : Promise.resolve([]),
    readHeadEvidence(source, info.head_sha, changed, {
      protectedPaths: needs.protectedPaths,
      modelGlobs: needs.artifacts ? needs.modelGlobs : [],
    }),
  ]);
  facts.reviews = reviews;
  facts.commit_authors = commitAuthors;
  if (needs.commitAuthors) Object.assign(facts, await authorsBesides(source, info, reviews, evidence.metadata));
  facts.head_files = evidence.head_files;
  facts.artifacts = evidence.artifacts;
  facts.lineage_digest = evidence.lineage_digest;
  facts.metadata = evidence.metadata;
  if (needs.lfs) facts.lfs_oids = evidence.lfs_oids;

  // Only people who approved the head can fill a role, and only role members
  // who requested changes can veto: their memberships are all that matter,
  // and only approvers' keys, so nobody else's are fetched.
  const approvers = reviews
    .filter((r) => r.state === 'APPROVED' && r.commit_id === info.head_sha && !r.is_bot && r.login !== info.author)
    .map((r) => r.login);
  const objectors = reviews.filter((r) => r.state === 'CHANGES_REQUESTED' && !r.is_bot).map((r) => r.login);
  const candidates = [...approvers, ...objectors];
  const tasks: Array<Promise<void>> = [];
  for (const team of [...new Set(needs.teams)]) {
    tasks.push(source.teamMembers(team, candidates).then((m) => void (facts.teams[team] = m)));
  }
  if (needs.githubKeys) {
    for (const login of approvers) {
      tasks.push(source.signingKeys(login).then((k) => void (facts.signing_keys[login] = k)));
    }
  }
  if (needs.allowedSigners.length > 0) facts.allowed_signers = {};
  for (const p of needs.allowedSigners) {
    tasks.push(
      source.file(opts.policySha ?? info.base_sha, p).then((text) => {
        if (text === null) throw missingKeyFile(p, info);
        (facts.allowed_signers as Record<string, string>)[p] = text;
      }),
    );
  }
  if (needs.jwks.length > 0) facts.jwks = {};
  for (const p of needs.jwks) {
    tasks.push(
      source.file(opts.policySha ?? info.base_sha, p).then((text) => {
        if (text === null) throw missingKeyFile(p, info);
        try {
          (facts.jwks as Record<string, unknown>)[p] = JSON.parse(text);
        } catch (e) {
          throw new GateError('E_CONFIG', `${p} on the base branch is not valid JSON: ${messageOf(e)}`, { where: p });
        }
      }),
    );
  }
  await Promise.all(tasks);
  return facts;
}

/**
 * The people a release excludes besides the commit authors (issue 10, item
 * 9): co-authors named by trailers (with their login when GitHub tells it: a
 * noreply address, or an approver whose public email it is), commits whose
 * author email links to no account, and, for a pull request a bot opened
 * (the Action's release PR), the person who triggered the workflow run
 * metadata.json names, read from GitHub's record of that run.
 */
async function authorsBesides(
  source: PullRequestSource,
  info: PullInfo,
  reviews: ReviewFact[],
  metadata: Record<string, unknown>,
): Promise<Pick<PullRequestFacts, 'co_authors' | 'unlinked_commit_authors' | 'release_actor'>> {
  const people = await source.commitPeople();
  const approvers = [...new Set(reviews.filter((r) => r.state === 'APPROVED' && !r.is_bot).map((r) => r.login))];
  const others = people.co_authors.filter((t) => noreplyLogin(t.email) === null);
  const emails = others.length > 0 ? await Promise.all(approvers.map(async (l) => [l, await source.publicEmail(l)] as const)) : [];
  const co_authors: CoAuthorFact[] = people.co_authors.map((t) => {
    const login = noreplyLogin(t.email) ?? emails.find(([, e]) => e !== null && e.toLowerCase() === t.email.toLowerCase())?.[0];
    return { name: t.name, email: t.email, ...(login ? { login } : {}) };
  });
  const out: Pick<PullRequestFacts, 'co_authors' | 'unlinked_commit_authors' | 'release_actor'> = {
    co_authors,
    unlinked_commit_authors: people.unlinked,
  };
  if (/\[bot\]$/i.test(info.author)) {
    const actor = await releaseActor(source, info, metadata);
    if (actor) out.release_actor = actor;
  }
  return out;
}

/** The login that triggered the workflow run a head metadata.json names (`source.run_id` of this repository), or undefined. */
async function releaseActor(source: PullRequestSource, info: PullInfo, metadata: Record<string, unknown>): Promise<string | undefined> {
  for (const m of Object.values(metadata)) {
    const src = (m && typeof m === 'object' ? (m as Json).source : undefined) as Json | undefined;
    const runId = Number(src?.run_id);
    if (!Number.isSafeInteger(runId) || runId <= 0) continue;
    // A run of another repository says nothing about who released this one.
    if (typeof src?.repository === 'string' && src.repository.toLowerCase() !== info.repository.toLowerCase()) continue;
    const actor = await source.workflowRunActor(runId);
    if (actor) return actor;
  }
  return undefined;
}

function missingKeyFile(path: string, info: PullInfo): GateError {
  return new GateError('E_CONFIG', `the policy names ${path}, which does not exist on ${info.base_ref}`, {
    where: `${info.repository}@${info.base_sha.slice(0, 12)}:${path}`,
    hint: 'add the file to the base branch or remove it from signatures.keys',
  });
}

