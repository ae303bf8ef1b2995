/**
 * Stale green (issue 10, item 13), through the App server over HTTP: a pass
 * must not outlive what it was based on. A push that tightens the policy on
 * the base branch, and a team change that removes an approver, re-evaluate
 * the open pull requests concerned (GitHub's `push` and `membership` events;
 * a pull request's base.sha is not moved by a push to its base, so the policy
 * is read at the base branch's tip).
 */
import { completedRun, membershipEvent, pushEvent } from '../helpers/app-harness.js';
import { scenarioSuite } from '../helpers/app-release.js';
import { policyText } from '../helpers/policies.js';

const REPO = 'acme/stale';
const INSTALLATION = 66;
const POLICY = policyText('developer-and-risk');

describe('stale green: policy pushes and team changes re-evaluate open pull requests, through the App', () => {
  const suite = scenarioSuite({ repo: REPO, installation: INSTALLATION, policy: POLICY, tmpPrefix: 'mrg-stale-' });

  async function approvedPull() {
    const rel = suite.s.openRelease();
    suite.s.approve(rel.number, 'alice', suite.s.statement(rel.number, 'alice', { release: rel }));
    suite.s.approve(rel.number, 'bob', suite.s.statement(rel.number, 'bob', { release: rel }));
    expect((await suite.s.reviewed(rel.number, 'bob')).conclusion).toBe('success');
    return rel;
  }

  it('attack: a green pull request after the base branch\'s policy was tightened: the push re-evaluates it under the new policy', async () => {
    const { gh } = suite.app;
    const rel = await approvedPull();
    const before = gh.repo(REPO).branches.get('main')!;
    gh.setTeam('acme', 'compliance', ['erin']);
    const after = gh.commit(REPO, {
      branch: 'main',
      changes: { '.github/model-release-gate.yml': `${POLICY}  - name: compliance\n    teams: [acme/compliance]\n` },
    });
    const since = gh.checkRuns.length;
    const d = await gh.hooks.deliver('push', pushEvent(gh, REPO, 'main', before, after, INSTALLATION, 'admin'));
    expect(d.status).toBe('OK');
    const run = await completedRun(suite.app, rel.head, since);
    expect(run.conclusion).toBe('failure');
    expect(run.output.summary).toMatch(/compliance: 1 more approval needed/);
    expect(run.output.summary).toContain(`read from \`${after.slice(0, 12)}\``);
  });

  it('a push to the base that does not touch the gate re-evaluates nothing', async () => {
    const { gh } = suite.app;
    const before = gh.repo(REPO).branches.get('main')!;
    const after = gh.commit(REPO, { branch: 'main', changes: { 'docs/notes.md': 'unrelated' } });
    const since = gh.checkRuns.length;
    await gh.hooks.deliver('push', pushEvent(gh, REPO, 'main', before, after, INSTALLATION, 'admin'));
    await new Promise((r) => setTimeout(r, 1500));
    expect(gh.checkRuns.length).toBe(since);
  });

  it('attack: a green pull request after an approver left the team: the membership event re-evaluates it', async () => {
    const { gh } = suite.app;
    // Back to the two-role policy first (the previous test tightened it).
    gh.commit(REPO, { branch: 'main', changes: { '.github/model-release-gate.yml': POLICY } });
    const rel = await approvedPull();
    gh.setTeam('acme', 'risk', []);
    try {
      const since = gh.checkRuns.length;
      const d = await gh.hooks.deliver('membership', membershipEvent(gh, 'acme', 'risk', 'bob', 'removed', INSTALLATION));
      expect(d.status).toBe('OK');
      const run = await completedRun(suite.app, rel.head, since);
      expect(run.conclusion).toBe('failure');
      expect(run.output.summary).toMatch(/risk: 1 more approval needed/);
    } finally {
      gh.setTeam('acme', 'risk', ['bob']);
    }
  });
});
