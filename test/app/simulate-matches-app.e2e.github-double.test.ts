/**
 * `model-gate simulate` and the App give the same verdict for the same facts
 * (issue 10): the running App judges a pull request over HTTP and writes its
 * check run; the same facts, gathered from the same GitHub state by the
 * App's own gatherer and written to a facts file, go through the CLI's
 * `simulate --json`; that verdict, rendered as the App renders check runs,
 * must be the App's check run, word for word.
 */
import { renderCheckRun } from '../../src/approval/check-run-text.js';
import { gatherFacts } from '../../src/approval/gather-facts.js';
import { githubPullRequestSource } from '../../src/github/pull-request-source.js';
import { fetchRequester } from '../../src/github/fetch-requester.js';
import { factNeeds } from '../../src/approval/fact-needs.js';
import { parsePolicy } from '../../src/approval/policy-parse.js';
import type { Verdict } from '../../src/approval/types.js';
import { REPO, gateWorldSuite } from '../helpers/attack-harness.js';
import type { CheckRunState } from '../helpers/github-double.js';
import { simulateFacts } from '../helpers/cli-harness.js';

const POLICY = `version: 1
protected_paths: ["models/**"]
roles:
  - {name: developer, teams: [acme/ml]}
  - {name: risk, teams: [acme/risk]}
checks: {metadata: false}
`;
const sha256 = async (s: string) => `sha256:${(await import('node:crypto')).createHash('sha256').update(s).digest('hex')}`;

describe('simulate and the App give the same verdict for the same facts', () => {
  const w = gateWorldSuite({ policy: POLICY, teams: { 'acme/ml': ['alice', 'erin'], 'acme/risk': ['bob', 'erin'] }, people: ['alice', 'bob', 'erin'] });

  /** The CLI's verdict on the facts the App's gatherer reads now, and the check run it renders to. */
  async function simulate(number: number, run: CheckRunState): Promise<{ verdict: Verdict; rendered: ReturnType<typeof renderCheckRun> }> {
    const { gh } = w.app;
    const [owner, repo] = REPO.split('/');
    const source = githubPullRequestSource(fetchRequester(gh.apiUrl, gh.userToken('auditor')), { owner, repo, pull_number: number });
    const policy = parsePolicy(POLICY);
    const facts = await gatherFacts(source, factNeeds(policy, await source.changedFiles()));
    const { code, verdict } = (await simulateFacts(w.dir, POLICY, facts, number)) as { code: number; verdict: Verdict };
    expect(code).toBe(verdict.passed ? 0 : 1);
    const p = gh.pull(REPO, number);
    const rendered = renderCheckRun(
      verdict,
      { repository: REPO, pull_request: number, base_ref: p.base.ref, base_sha: p.base.sha, check_sha: run.head_sha, head_sha: p.head.sha },
      facts,
    );
    return { verdict, rendered };
  }

  const expectSame = async (number: number, run: CheckRunState) => {
    const { verdict, rendered } = await simulate(number, run);
    expect(rendered.conclusion).toBe(run.conclusion);
    expect(rendered.title).toBe(run.output.title);
    expect(rendered.summary).toBe(run.output.summary);
    return verdict;
  };

  it('a release approved by two people from two roles: both pass', async () => {
    const meta = JSON.stringify({ model: { path: 'model.onnx', digest: await sha256('weights v2'), size: 10 } });
    const number = w.openPull({ 'models/fraud/model.onnx': 'weights v2', 'models/fraud/metadata.json': meta }, 'carol');
    await w.opened(number);
    await w.approve(number, 'alice');
    const run = await w.approve(number, 'bob');
    expect(run.conclusion).toBe('success');
    expect((await expectSame(number, run)).passed).toBe(true);
  });

  it('metadata.json that lies about the model: both fail, for the same reasons', async () => {
    const meta = JSON.stringify({ model: { path: 'model.onnx', digest: await sha256('other weights'), size: 13 } });
    const number = w.openPull({ 'models/fraud/model.onnx': 'weights v3', 'models/fraud/metadata.json': meta }, 'carol');
    await w.opened(number);
    await w.approve(number, 'alice');
    const run = await w.approve(number, 'bob');
    expect(run.conclusion).toBe('failure');
    const v = await expectSame(number, run);
    expect(v.reasons.join('\n')).toMatch(/records model digest sha256:[0-9a-f]{64} for models\/fraud\/model.onnx, but the head commit holds/);
  });

  it('one person in both roles approving alone: both fail', async () => {
    const number = w.openPull({ 'models/churn/model.onnx': 'churn' }, 'carol');
    await w.opened(number);
    const run = await w.approve(number, 'erin');
    expect(run.conclusion).toBe('failure');
    await expectSame(number, run);
  });
});
