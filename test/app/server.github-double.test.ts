import { completedRun, pullRequestEvent, rerunEvent, startApp, type RunningApp } from '../helpers/app-harness.js';

const REPO = 'acme/models';

describe('the App server over real HTTP, against a GitHub REST double validated by GitHub\'s OpenAPI description', () => {
  let app: RunningApp;
  const installation = 77;

  beforeAll(async () => {
    app = await startApp();
    const { gh } = app;
    gh.addRepo(REPO, { id: 501 });
    gh.addInstallation('acme', installation);
    gh.commit(REPO, {
      branch: 'main',
      changes: { '.github/model-release-gate.yml': 'version: 1\nprotected_paths: ["models/**"]\nroles:\n  - name: risk\n    count: two\n' },
    });
  });
  afterAll(async () => app?.stop());
  afterEach(() => app.gh.assertContract());

  it('answers GET /healthz', async () => {
    const res = await fetch(`${app.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('rejects a delivery with a wrong signature (400) and asks GitHub nothing', async () => {
    const { gh } = app;
    gh.commit(REPO, { branch: 'f1', parent: gh.repo(REPO).branches.get('main'), changes: { 'models/a.onnx': 'x' }, author: 'carol' });
    gh.openPull(REPO, { number: 1, author: 'carol', base: 'main', head: 'f1' });
    const before = gh.requests.length;
    const res = await app.deliver('pull_request', pullRequestEvent(gh, REPO, 1, 'opened', installation), {
      signature: `sha256=${'0'.repeat(64)}`,
    });
    expect(res.status).toBe(400);
    expect(gh.requests.length).toBe(before);
    expect(gh.checkRunsFor(gh.pull(REPO, 1).head.sha)).toHaveLength(0);
  });

  it('an invalid policy on the base branch fails the check with file, line and column', async () => {
    const { gh } = app;
    const since = gh.checkRuns.length;
    const res = await app.deliver('pull_request', pullRequestEvent(gh, REPO, 1, 'opened', installation));
    expect([200, 202]).toContain(res.status);
    const run = await completedRun(app, gh.pull(REPO, 1).head.sha, since);
    expect(run?.conclusion).toBe('failure');
    expect(run?.output.summary).toMatch(/\.github\/model-release-gate\.yml:5:\d+: roles\[0\]\.count/);
    expect(run?.output.summary).toContain('**Base branch:** `main`');
  });

  it('a pass that cannot be written to the audit store fails closed', async () => {
    const { gh } = app;
    const repo = 'acme/audited';
    gh.addRepo(repo, { id: 502 });
    // A store under a regular file: every write fails.
    const main = gh.commit(repo, {
      branch: 'main',
      changes: {
        '.github/model-release-gate.yml':
          'version: 1\nprotected_paths: ["models/**"]\nroles:\n  - name: risk\n    users: [bob]\naudit:\n  store: file:///dev/null/audit\n',
      },
    });
    gh.commit(repo, { branch: 'docs', parent: main, changes: { 'docs/a.md': 'x' }, author: 'carol' });
    gh.openPull(repo, { number: 1, author: 'carol', base: 'main', head: 'docs' });
    const since = gh.checkRuns.length;
    expect([200, 202]).toContain((await app.deliver('pull_request', pullRequestEvent(gh, repo, 1, 'opened', installation))).status);
    const sha = gh.pull(repo, 1).head.sha;
    const run = await completedRun(app, sha, since);
    expect(run?.conclusion).toBe('failure');
    expect(run?.output.summary).toMatch(/audit store named by the policy on the default branch main could not be written/);
  });

  it('an edit that does not change the base is ignored; the check\'s "Re-evaluate" button re-runs it', async () => {
    const { gh } = app;
    const sha = gh.pull(REPO, 1).head.sha;
    const before = gh.checkRunsFor(sha).length;
    const edited = pullRequestEvent(gh, REPO, 1, 'edited', installation);
    edited.changes = { title: { from: 'old title' } };
    expect((await app.deliver('pull_request', edited)).status).toBe(200);
    expect(gh.checkRunsFor(sha)).toHaveLength(before);

    const button = rerunEvent(gh, REPO, 1, installation, app.appId);
    button.action = 'requested_action';
    button.requested_action = { identifier: 're-evaluate' };
    let since = gh.checkRuns.length;
    expect([200, 202]).toContain((await app.deliver('check_run', button)).status);
    expect((await completedRun(app, sha, since)).conclusion).toBe('failure');

    // A base change re-evaluates.
    edited.changes = { base: { ref: { from: 'develop' }, sha: { from: 'a'.repeat(40) } } };
    since = gh.checkRuns.length;
    expect([200, 202]).toContain((await app.deliver('pull_request', edited)).status);
    await completedRun(app, sha, since);
  });
});
