/**
 * Lost events (issue 10, item 14), through the App server over HTTP. GitHub's
 * documented behaviour, modelled by the double (github-double-app.ts): a
 * delivery not answered within 10 seconds is recorded as failed, failed
 * deliveries are never redelivered by GitHub itself, and the App can list its
 * deliveries and ask for a redelivery. The App keeps no state: after a crash
 * (SIGKILL) a new process must finish what the old one started.
 */
import { appSuite, completedRun, pullRequestEvent } from '../helpers/app-harness.js';
import { Scenario } from '../helpers/app-release.js';
import { policyText } from '../helpers/policies.js';

const REPO = 'acme/lost';
const INSTALLATION = 65;
const POLICY = policyText('developer-and-risk');
const BLOBS = '/repos/{owner}/{repo}/git/blobs/{file_sha}';

describe('lost events: answered within the deadline, finished after a crash, redelivered after an outage', () => {
  // Each test's injected latency ends with it (the suite's contract check runs after this).
  afterEach(() => {
    suite.app.gh.latency = null;
  });
  const suite = appSuite({ tmpPrefix: 'mrg-lost-' });
  let s: Scenario;

  beforeAll(() => {
    s = Scenario.create(suite.app, { repo: REPO, installation: INSTALLATION, dir: suite.dir, policy: POLICY });
  });

  it('a delivery whose evaluation takes longer than GitHub\'s 10 s deadline is answered in time, with an in_progress run first', async () => {
    const { gh } = suite.app;
    const rel = s.openRelease();
    // Reading the blobs (hashing the model) takes 12 s.
    gh.latency = (req) => (req.route === BLOBS ? 12_000 : 0);
    const since = gh.checkRuns.length;
    const t0 = Date.now();
    const d = await gh.hooks.deliver('pull_request', pullRequestEvent(gh, REPO, rel.number, 'opened', INSTALLATION));
    expect(d.status).toBe('OK');
    expect(Date.now() - t0).toBeLessThan(10_000);
    // The gate is closed meanwhile: the latest run on the head is in progress, not a pass.
    const pending = gh.checkRuns.slice(since).filter((c) => c.head_sha === rel.head);
    expect(pending.map((c) => c.status)).toEqual(['in_progress']);
    const run = await completedRun(suite.app, rel.head, since);
    expect(run.id).toBe(pending[0].id);
    expect(run.conclusion).toBe('failure');
    expect(run.output.summary).toMatch(/developer: 1 more approval needed/);
  }, 40_000);

  it('SIGKILL mid-evaluation: the new process finds the abandoned in_progress run and finishes it', async () => {
    const { gh } = suite.app;
    const rel = s.openRelease();
    s.approve(rel.number, 'alice', s.statement(rel.number, 'alice', { release: rel }));
    s.approve(rel.number, 'bob', s.statement(rel.number, 'bob', { release: rel }));
    gh.latency = (req) => (req.route === BLOBS ? 60_000 : 0);
    const since = gh.checkRuns.length;
    const d = await gh.hooks.deliver('pull_request', pullRequestEvent(gh, REPO, rel.number, 'opened', INSTALLATION));
    expect(d.status).toBe('OK');
    await suite.app.kill();
    expect(gh.checkRuns.slice(since).filter((c) => c.head_sha === rel.head).map((c) => c.status)).toEqual(['in_progress']);
    gh.latency = null;
    // A new process (any replica): its startup pass re-evaluates runs left in progress.
    await suite.app.restart({ MODEL_GATE_RECOVER_SECONDS: '3600', MODEL_GATE_STALE_SECONDS: '0' });
    const run = await completedRun(suite.app, rel.head, since);
    expect(run.conclusion).toBe('success');
    await suite.app.server().waitForLog((l) => l.msg === 'recovering an evaluation' && l.pull_request === rel.number);
  }, 60_000);

  it('a delivery that hit a dead server (failed to connect) is redelivered by the next process, once', async () => {
    const { gh } = suite.app;
    const rel = s.openRelease();
    await suite.app.kill();
    const lost = await gh.hooks.deliver('pull_request', pullRequestEvent(gh, REPO, rel.number, 'opened', INSTALLATION));
    expect(lost.status).toBe('failed to connect');
    const since = gh.checkRuns.length;
    // Startup pass: failed deliveries are redelivered (and heads with no run at all are evaluated).
    await suite.app.restart({ MODEL_GATE_RECOVER_SECONDS: '3600', MODEL_GATE_STALE_SECONDS: '3600' });
    const run = await completedRun(suite.app, rel.head, since);
    expect(run.conclusion).toBe('failure');
    await Promise.all([...gh.hooks.inFlight]);
    const attempts = gh.hooks.deliveries.filter((x) => x.guid === lost.guid);
    expect(attempts.map((a) => [a.redelivery, a.status])).toEqual([
      [false, 'failed to connect'],
      [true, 'OK'],
    ]);
    expect(gh.requestsTo('/app/hook/deliveries/{delivery_id}/attempts', 'POST').filter((r) => r.path.endsWith(`/${lost.id}/attempts`))).toHaveLength(1);
  }, 60_000);

  it('load: 64 concurrent deliveries on loopback are all answered in time and all end in a completed check run', async () => {
    const { gh } = suite.app;
    const pulls = Array.from({ length: 64 }, () => s.openRelease());
    const since = gh.checkRuns.length;
    const answers = await Promise.all(pulls.map((p) => gh.hooks.deliver('pull_request', pullRequestEvent(gh, REPO, p.number, 'opened', INSTALLATION))));
    expect(answers.filter((a) => a.status !== 'OK').map((a) => `${a.status} after ${a.duration}s`)).toEqual([]);
    expect(Math.max(...answers.map((a) => a.duration))).toBeLessThan(10);
    const runs = await Promise.all(pulls.map((p) => completedRun(suite.app, p.head, since)));
    expect(runs.map((r) => r.conclusion)).toEqual(pulls.map(() => 'failure'));
    expect(new Set(runs.map((r) => r.head_sha)).size).toBe(64);
  }, 120_000);
});
