/**
 * `simulate` and the App give the same verdict for the same facts: the facts
 * the App's gatherer builds from GitHub (the double, validated against GitHub's
 * OpenAPI description), written as a facts file, and judged again by
 * `model-gate simulate`, including the issue-10 facts (head_files hashed from
 * the commit, co-authors, unlinked authors).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProbotOctokit } from 'probot';
import { gatherFacts } from '../../src/approval/gather-facts.js';
import { githubPullRequestSource } from '../../src/github/pull-request-source.js';
import { factNeeds } from '../../src/approval/fact-needs.js';
import { evaluate } from '../../src/approval/evaluate.js';
import { parsePolicy } from '../../src/approval/policy-parse.js';
import { GitHubDouble } from '../helpers/github-double.js';
import { simulateFacts } from '../helpers/cli-harness.js';
import { policyText } from '../helpers/policies.js';

const REPO = 'acme/parity';
const POLICY = policyText('developer-and-risk', 'signatures:\n  required: false\n');

describe('simulate judges the App\'s gathered facts exactly as the App does', () => {
  let gh: GitHubDouble;
  let octokit: InstanceType<typeof ProbotOctokit>;
  const dir = mkdtempSync(join(tmpdir(), 'mrg-parity-'));

  beforeAll(async () => {
    gh = await GitHubDouble.start();
    octokit = new ProbotOctokit({ auth: { token: gh.userToken('gate-bot') }, baseUrl: gh.apiUrl, throttle: { enabled: false }, retry: { enabled: false } });
    gh.addRepo(REPO, { id: 31 });
    gh.setTeam('acme', 'ml', ['alice']);
    gh.setTeam('acme', 'risk', ['bob']);
    gh.commit(REPO, { branch: 'main', changes: { '.github/model-release-gate.yml': POLICY, 'README.md': 'weights' } });
  });
  afterAll(async () => {
    await gh.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => gh.assertContract());

  const cases: Array<[string, Record<string, unknown>, { message?: string; linked?: boolean }]> = [
    ['a plain release (passes)', { 'models/m/model.onnx': 'w', 'models/m/metadata.json': JSON.stringify({ model: { path: 'model.onnx', digest: `sha256:${createHash('sha256').update('w').digest('hex')}` } }) }, {}],
    ['metadata.json that lies about the bytes', { 'models/l/model.onnx': 'w', 'models/l/metadata.json': JSON.stringify({ model: { path: 'model.onnx', digest: `sha256:${'0'.repeat(64)}` } }) }, {}],
    ['a symlinked model', { 'models/s/model.onnx': { mode: '120000', content: '../../README.md' } }, {}],
    ['a co-authored, unlinked commit', { 'models/c/model.onnx': 'w2' }, { message: 'x\n\nCo-authored-by: Bob <9+bob@users.noreply.github.com>', linked: false }],
  ];

  it.each(cases)('%s: same verdict from the App\'s evaluate and from simulate on the facts file', async (label, changes, opts) => {
    const n = gh.repo(REPO).pulls.size + 1;
    gh.commit(REPO, { branch: `p${n}`, parent: gh.repo(REPO).branches.get('main'), author: 'carol', changes: changes as never, ...opts });
    gh.openPull(REPO, { number: n, author: 'carol', base: 'main', head: `p${n}` });
    for (const who of ['alice', 'bob']) gh.addReview(REPO, n, { login: who, state: 'APPROVED', body: 'LGTM' });
    const source = githubPullRequestSource(octokit, { owner: 'acme', repo: 'parity', pull_number: n });
    const policy = parsePolicy(POLICY);
    const facts = await gatherFacts(source, factNeeds(policy, await source.changedFiles()));
    expect(facts.head_files?.length).toBeGreaterThan(0);
    const verdict = await evaluate(policy, facts);

    const { code, verdict: simulated } = await simulateFacts(dir, POLICY, facts, n);
    expect(code).toBe(verdict.passed ? 0 : 1);
    expect({ passed: simulated.passed, reasons: simulated.reasons }).toEqual({ passed: verdict.passed, reasons: verdict.reasons });
    expect(verdict.passed).toBe(label.endsWith('(passes)'));
  });
});
