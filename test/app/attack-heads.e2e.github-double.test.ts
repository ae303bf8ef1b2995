/**
 * Attacks on "a check run is about one pull request" (issue 10, item 1),
 * through the App server over HTTP. GitHub's documented behaviour, modelled
 * by the double: a check run belongs to a commit and shows on every open pull
 * request with that head (its `pull_requests`); a webhook payload is a
 * snapshot that can arrive late or be redelivered.
 */
import { appSuite, pullRequestEvent } from '../helpers/app-harness.js';
import { Scenario } from '../helpers/app-release.js';
import { policyText } from '../helpers/policies.js';

const POLICY = policyText('developer-and-risk');
// What an attacker puts on a branch of their own: one approval by anyone, no signatures.
const WEAK = policyText('mallory-alone');

describe('attacks on which pull request a verdict is for, through the App', () => {
  const suite = appSuite({ tmpPrefix: 'mrg-attack-heads-' });
  let s: Scenario;

  beforeAll(async () => {
    s = Scenario.create(suite.app, { repo: 'acme/heads', installation: 62, dir: suite.dir, policy: POLICY });
    const { gh } = suite.app;
    gh.commit('acme/heads', { branch: 'evil-base', parent: gh.repo('acme/heads').branches.get('main'), changes: { '.github/model-release-gate.yml': WEAK }, author: 'mallory' });
  }, 60000);

  it('attack: one head, two pull requests: the one into a weak branch cannot make the commit green for the one into main', async () => {
    const { gh } = suite.app;
    // The head branch starts from evil-base, so against evil-base it changes only the model.
    const one = s.openRelease({ head: 'feature', from: 'evil-base', author: 'mallory' });
    const two = s.openRelease({ head: 'feature', base: 'evil-base', author: 'mallory' });
    expect(two.head).toBe(one.head);
    // The unapproved release into main fails on its own ...
    expect((await s.evaluate(one.number)).conclusion).toBe('failure');
    // ... and the event for the pull request into evil-base must not turn the shared commit green.
    const run = await s.evaluate(two.number);
    expect(run.conclusion).toBe('failure');
    expect(run.output.title).toMatch(new RegExp(`pull request #${one.number} into main has this head and fails its own policy`));
    expect(run.output.summary).toMatch(new RegExp(`\\| #${one.number} \\| \`main\` \\| fails \\|`));
    // GitHub shows that one run on both pull requests.
    const shown = gh.checkRunsFor(one.head).filter((c) => c.status === 'completed').pop()!;
    expect(shown.id).toBe(run.id);
  });

  it('attack: a late pull_request payload that still names the old (weak) base is judged by the base the API reports now', async () => {
    const { gh } = suite.app;
    const rel = s.openRelease({ head: 'retargeted', author: 'mallory' });
    // The payload GitHub sent while the pull request still targeted evil-base, delivered late.
    const stale = pullRequestEvent(gh, 'acme/heads', rel.number, 'opened', 62);
    stale.pull_request.base.ref = 'evil-base';
    stale.pull_request.base.sha = gh.repo('acme/heads').branches.get('evil-base');
    stale.pull_request.base.label = 'acme:evil-base';
    // GitHub's pull_request payloads carry the full pull request, counts included.
    Object.assign(stale.pull_request, { changed_files: 2, commits: 1 });
    const run = await s.deliver('pull_request', stale, rel.head);
    expect(run.conclusion).toBe('failure');
    expect(run.output.summary).toContain('**Base branch:** `main`');
    expect(run.output.summary).toMatch(/developer: 1 more approval needed/);
  });
});
