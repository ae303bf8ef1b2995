import { ProbotOctokit } from 'probot';
import { parsePolicy } from '../../src/approval/policy-parse.js';
import { createHash } from 'node:crypto';
import { gatherFacts } from '../../src/approval/gather-facts.js';
import { standingReviews } from '../../src/approval/evaluate.js';
import { githubPullRequestSource } from '../../src/github/pull-request-source.js';
import { factNeeds } from '../../src/approval/fact-needs.js';
import { GitHubDouble } from '../helpers/github-double.js';
import type { ReviewFact } from '../../src/approval/types.js';
import { policyText } from '../helpers/policies.js';

const REPO = 'acme/models';
const POLICY = policyText('developer-and-risk');

describe('GitHub facts gatherer, against a GitHub REST double validated by GitHub\'s OpenAPI description', () => {
  let gh: GitHubDouble;
  let octokit: InstanceType<typeof ProbotOctokit>;

  beforeAll(async () => {
    gh = await GitHubDouble.start();
    octokit = new ProbotOctokit({
      auth: { token: gh.userToken('gate-bot') },
      baseUrl: gh.apiUrl,
      throttle: { enabled: false },
      retry: { enabled: false },
    });
    gh.addRepo(REPO, { id: 9 });
    gh.setTeam('acme', 'ml', ['alice', 'carol']);
    gh.setTeam('acme', 'risk', ['bob']);
    gh.addSigningKey('alice', 'ssh-ed25519 AAAAalice alice');
    gh.commit(REPO, { branch: 'main', changes: { '.github/model-release-gate.yml': POLICY, 'README.md': 'x' } });
  });
  afterAll(async () => gh.close());
  afterEach(() => gh.assertContract());

  const open = (n: number, changes: Record<string, string | null>, author = 'carol') => {
    gh.commit(REPO, { branch: `pr${n}`, parent: gh.repo(REPO).branches.get('main'), changes, author });
    return gh.openPull(REPO, { number: n, author, base: 'main', head: `pr${n}` });
  };

  it('a PR that touches no protected path costs only the PR, the policy and its files', async () => {
    open(1, { 'docs/x.md': 'y' });
    const source = githubPullRequestSource(octokit, { owner: 'acme', repo: 'models', pull_number: 1 });
    const policy = parsePolicy((await source.file(gh.pull(REPO, 1).base.sha, '.github/model-release-gate.yml')) as string);
    const facts = await gatherFacts(source, factNeeds(policy, await source.changedFiles()));
    expect(facts.changed_files.map((f) => (typeof f === 'string' ? f : f.filename))).toEqual(['docs/x.md']);
    expect(facts.reviews).toEqual([]);
    expect(source.requestLog).toEqual([
      'GET /repos/{owner}/{repo}/contents/{path}',
      'GET /repos/{owner}/{repo}/pulls/{pull_number}',
      'GET /repos/{owner}/{repo}/pulls/{pull_number}/files',
    ]);
  });

  it('a release PR: reviews, teams of approvers only, keys only of approvers; nothing asked twice', async () => {
    const p = open(2, { 'models/m.onnx': 'bin', 'models/metadata.json': JSON.stringify({ model: { path: 'm.onnx', digest: `sha256:${'a'.repeat(64)}` } }) });
    gh.addReview(REPO, 2, { login: 'alice', state: 'APPROVED' });
    gh.addReview(REPO, 2, { login: 'alice', state: 'COMMENTED' });
    gh.addReview(REPO, 2, { login: 'bob', state: 'APPROVED' });
    gh.addReview(REPO, 2, { login: 'dave', state: 'COMMENTED' });
    const before = gh.requests.length;
    const source = githubPullRequestSource(octokit, { owner: 'acme', repo: 'models', pull_number: 2 });
    const policy = parsePolicy((await source.file(p.base.sha, '.github/model-release-gate.yml')) as string);
    const needs = factNeeds(policy, await source.changedFiles());
    expect(needs).toMatchObject({ release: true, githubKeys: true, teams: ['acme/ml', 'acme/risk'], commitAuthors: true, artifacts: true });
    const facts = await gatherFacts(source, needs);
    // alice's later comment does not withdraw her approval.
    expect(facts.reviews.map((r) => [r.login, r.state])).toEqual([['alice', 'APPROVED'], ['bob', 'APPROVED'], ['dave', 'COMMENTED']]);
    expect(facts.teams).toEqual({ 'acme/ml': ['alice'], 'acme/risk': ['bob'] });
    expect(facts.signing_keys).toEqual({ alice: ['ssh-ed25519 AAAAalice alice'], bob: [] });
    expect(facts.commit_authors).toEqual(['carol']);
    // The artifact is what the commit holds (SHA-256 of "bin"), not what metadata.json claims.
    const bin = `sha256:${createHash('sha256').update('bin').digest('hex')}`;
    expect(facts.artifacts).toEqual([{ path: 'models/m.onnx', digest: bin }]);
    expect(facts.head_files).toEqual([
      { path: 'models/m.onnx', kind: 'blob', digest: bin, size: 3 },
      { path: 'models/metadata.json', kind: 'blob', digest: facts.lineage_digest, size: expect.any(Number) },
    ]);
    expect(facts.lineage_digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    // Asking again is free: the cache is the event's.
    await gatherFacts(source, needs);
    const made = gh.requests.slice(before).map((r) => `${r.method} ${r.route}`);
    expect(made.length).toBe(source.requestCount);
    expect(new Set(made.map((m, i) => `${m} ${JSON.stringify(gh.requests[before + i].path)}${JSON.stringify(gh.requests[before + i].query)}`)).size).toBe(made.length);
    // Two candidates: one listing per team (two membership lookups per team would cost more).
    expect(made.filter((m) => m.includes('/members'))).toHaveLength(2);
    expect(made.filter((m) => m.includes('memberships'))).toHaveLength(0);
  });

  it('one candidate: one membership lookup per team instead of a listing', async () => {
    open(5, { 'models/y.onnx': 'bin' });
    gh.addReview(REPO, 5, { login: 'bob', state: 'APPROVED' });
    const source = githubPullRequestSource(octokit, { owner: 'acme', repo: 'models', pull_number: 5 });
    const facts = await gatherFacts(source, {
      release: true, teams: ['acme/ml', 'acme/risk'], githubKeys: false, allowedSigners: [], jwks: [],
      commitAuthors: false, artifacts: false, lfs: false, modelGlobs: [], protectedPaths: [],
    });
    expect(facts.teams).toEqual({ 'acme/ml': [], 'acme/risk': ['bob'] });
    expect(source.requestLog.filter((r) => r.includes('memberships'))).toHaveLength(2);
    expect(source.requestLog.filter((r) => r.endsWith('/members'))).toHaveLength(0);
  });

  it('reads 3,000 changed files over 30 pages', async () => {
    const p = open(3, { 'models/x.bin': '1' });
    p.files = Array.from({ length: 3000 }, (_, i) => ({ filename: `data/part-${String(i).padStart(5, '0')}.csv`, status: 'added' as const }));
    const source = githubPullRequestSource(octokit, { owner: 'acme', repo: 'models', pull_number: 3 });
    const files = await source.changedFiles();
    expect(files).toHaveLength(3000);
    expect(source.requestLog.filter((r) => r.endsWith('/files'))).toHaveLength(30);
  });

  it('fails closed when GitHub truncates the file list (more than 3,000 files)', async () => {
    const p = open(4, { 'models/x.bin': '1' });
    p.files = Array.from({ length: 3001 }, (_, i) => ({ filename: `f${i}`, status: 'added' as const }));
    const source = githubPullRequestSource(octokit, { owner: 'acme', repo: 'models', pull_number: 4 });
    await expect(source.changedFiles()).rejects.toThrow(/listed 3000 of the 3001 files/);
  });

  it('reads allowed-signers from the base commit and Git LFS oids from the head when the policy asks', async () => {
    const oid = 'd'.repeat(64);
    const base = gh.repo(REPO).branches.get('main')!;
    const withSigners = gh.commit(REPO, { parent: base, changes: { '.github/allowed_signers': 'alice namespaces="model-release-gate@v1" ssh-ed25519 AAAA\n' } });
    gh.commit(REPO, {
      branch: 'pr6',
      parent: withSigners,
      author: 'carol',
      changes: {
        '.github/allowed_signers': 'carol ssh-ed25519 BBBB\n', // changed in the PR: ignored, the base wins
        'models/lfs/model.onnx': `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize 1234\n`,
        'models/lfs/metadata.json': JSON.stringify({ model: { path: 'model.onnx', digest: `sha256:${oid}` } }),
      },
    });
    gh.repo(REPO).branches.set('main6', withSigners);
    gh.openPull(REPO, { number: 6, author: 'carol', base: 'main6', head: 'pr6' });
    gh.addReview(REPO, 6, { login: 'alice', state: 'APPROVED' });
    const policy = parsePolicy(
      `${POLICY}signatures:\n  keys: ["allowed-signers:.github/allowed_signers"]\nchecks:\n  lfs_digest: true\n`,
    );
    const source = githubPullRequestSource(octokit, { owner: 'acme', repo: 'models', pull_number: 6 });
    const needs = factNeeds(policy, await source.changedFiles());
    expect(needs).toMatchObject({ githubKeys: false, allowedSigners: ['.github/allowed_signers'], lfs: true });
    const facts = await gatherFacts(source, needs);
    expect(facts.allowed_signers).toEqual({ '.github/allowed_signers': 'alice namespaces="model-release-gate@v1" ssh-ed25519 AAAA\n' });
    expect(facts.lfs_oids).toEqual({ 'models/lfs/model.onnx': `sha256:${oid}` });
    expect(facts.signing_keys).toEqual({});
    expect(source.requestLog).not.toContain('GET /users/{username}/ssh_signing_keys');
  });

  it('fails closed when a key file the policy names is missing on the base branch', async () => {
    const policy = parsePolicy(`${POLICY}signatures:\n  keys: ["jwks:.github/approvers.jwks"]\n`);
    const source = githubPullRequestSource(octokit, { owner: 'acme', repo: 'models', pull_number: 2 });
    await expect(gatherFacts(source, factNeeds(policy, await source.changedFiles()))).rejects.toThrow(
      /names \.github\/approvers\.jwks, which does not exist on main/,
    );
  });

  it('no signing keys are fetched when the policy does not require signatures', async () => {
    const policy = parsePolicy(`${POLICY}signatures:\n  required: false\n`);
    expect(factNeeds(policy, [{ filename: 'models/a.onnx' }])).toMatchObject({ githubKeys: false, artifacts: false });
    expect(factNeeds(policy, [{ filename: 'src/a.ts' }])).toMatchObject({ release: false, teams: [] });
    // The policy file protects itself.
    expect(factNeeds(policy, [{ filename: '.github/model-release-gate.yml' }]).release).toBe(true);
  });
});

describe('review helpers', () => {
  const r = (login: string, state: ReviewFact['state']): ReviewFact => ({ login, user_id: 1, state, commit_id: 'c', body: '' });

  it('keeps the latest state-changing review per user (the one rule the gatherer and the evaluator apply)', () => {
    expect(standingReviews([r('a', 'APPROVED'), r('a', 'COMMENTED'), r('b', 'APPROVED'), r('b', 'DISMISSED'), r('c', 'COMMENTED')]).map((x) => x.state)).toEqual([
      'APPROVED',
      'DISMISSED',
      'COMMENTED',
    ]);
    expect(standingReviews([r('a', 'CHANGES_REQUESTED'), r('A', 'APPROVED')])).toHaveLength(1);
  });
});
