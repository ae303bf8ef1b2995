/**
 * Authors hiding (issue 10, item 9), through the App server over HTTP: the
 * gatherer reads `Co-authored-by:` trailers of the pull request's commits
 * (GitHub's co-author convention), resolves logins where GitHub exposes them
 * (noreply addresses, an approver's public email), lists commits whose author
 * email links to no account (the commits API's `author: null`), and for a
 * release PR a bot opened reads who triggered the workflow run metadata.json
 * names (the Actions API's `triggering_actor`).
 */
import { appSuite } from '../helpers/app-harness.js';
import { Scenario, sha256, type ReleasePull } from '../helpers/app-release.js';
import { DeploymentsDouble } from '../helpers/github-double-deployments.js';
import { policyText } from '../helpers/policies.js';

const REPO = 'acme/authors';
const POLICY = policyText('developer-and-risk');

describe('authors hiding, through the App', () => {
  const suite = appSuite({ tmpPrefix: 'mrg-attack-authors-' });
  let s: Scenario;
  let runs: DeploymentsDouble;

  beforeAll(async () => {
    runs = new DeploymentsDouble(suite.app.gh);
    s = Scenario.create(suite.app, { repo: REPO, installation: 67, dir: suite.dir, policy: POLICY });
  }, 60000);

  const approveBoth = (number: number, rel: ReleasePull, who: [string, string]) => {
    for (const login of who) s.approve(number, login, s.statement(number, login, { release: rel }));
  };

  it('attack: the co-author of the change (a Co-authored-by trailer with their noreply address) approves it: it does not count', async () => {
    const { gh } = suite.app;
    const rel = s.openRelease({ message: `Retrain fraud model\n\nCo-authored-by: Bob <${gh.user('bob').id}+bob@users.noreply.github.com>\n` });
    approveBoth(rel.number, rel, ['alice', 'bob']);
    const run = await s.reviewed(rel.number, 'bob');
    expect(run.conclusion).toBe('failure');
    expect(run.output.summary).toMatch(/@bob \| APPROVED \| `[0-9a-f]+` \| no \|[^\n]*co-author/i);
  });

  it('attack: a co-author named by the approver\'s public email (not a noreply address) does not count either', async () => {
    const { gh } = suite.app;
    gh.user('alice').email = 'alice@corp.example';
    const rel = s.openRelease({ message: 'Retrain\n\nCo-authored-by: A. Lice <Alice@Corp.Example>\n' });
    approveBoth(rel.number, rel, ['alice', 'bob']);
    const run = await s.reviewed(rel.number, 'bob');
    expect(run.conclusion).toBe('failure');
    expect(run.output.summary).toMatch(/@alice \| APPROVED \| `[0-9a-f]+` \| no \|[^\n]*co-author/i);
  });

  it('attack: a release PR opened by the Action (a bot): the person who triggered the release workflow approves it, and does not count', async () => {
    const { gh } = suite.app;
    gh.addUser('github-actions[bot]', { type: 'Bot' });
    const run0 = runs.addRun(REPO, { head_sha: gh.repo(REPO).branches.get('main')!, environments: [], actor: 'alice' });
    run0.status = 'completed';
    const weights = `weights released by run ${run0.id}`;
    const meta = Buffer.from(JSON.stringify({ model: { path: 'model.onnx', digest: sha256(weights) }, source: { repository: REPO, run_id: String(run0.id) } }));
    const rel = s.openRelease({ author: 'github-actions[bot]', weights, meta });
    approveBoth(rel.number, rel, ['alice', 'bob']);
    const run = await s.reviewed(rel.number, 'bob');
    expect(run.conclusion).toBe('failure');
    const row = (run.output.summary ?? '').split('\n').find((l) => l.startsWith('| @alice |'));
    expect(row).toMatch(/\| no \| alice triggered the release workflow that opened this pull request/);
    // bob's approval is valid: only the release actor's does not count.
    expect(run.output.summary).toMatch(/@bob \| APPROVED \| `[0-9a-f]+` \| yes \|/);
  });

  it('a commit whose author email links to no account is shown, and refused when the policy requires linked authors', async () => {
    const { gh } = suite.app;
    gh.commit(REPO, { branch: 'main', changes: { '.github/model-release-gate.yml': `${POLICY}require_linked_authors: true\n` } });
    const rel = s.openRelease({ authorEmail: 'someone@laptop.local', linked: false });
    approveBoth(rel.number, rel, ['alice', 'bob']);
    const run = await s.reviewed(rel.number, 'bob');
    expect(run.conclusion).toBe('failure');
    expect(run.output.summary).toContain('someone@laptop.local');
  });
});
