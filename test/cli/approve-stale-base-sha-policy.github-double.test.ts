/**
 * Defect: `model-gate approve` read the policy at the pull request's
 * `base.sha`, the App at the base branch's tip. GitHub's `base.sha` is the
 * branch's tip when the pull request was opened or last updated, so once the
 * base branch tightens its policy the two disagree: the CLI built a statement
 * under the older, weaker policy (fewer protected artifacts, fewer roles),
 * which the App then never counts, and refused a role the gate requires.
 * Both must judge against the base branch as GitHub has it now.
 *
 * Against the GitHub REST double (responses validated by GitHub's OpenAPI
 * description); real ssh-keygen is not needed: only the statement is built.
 */
import { createHash } from 'node:crypto';
import { runCli } from '../../src/cli/program.js';
import { evaluatePull } from '../../src/approval/judge-pull.js';
import { githubPullRequestSource } from '../../src/github/pull-request-source.js';
import { fetchRequester } from '../../src/github/fetch-requester.js';
import { GitHubDouble } from '../helpers/github-double.js';
import { tempDir } from '../helpers/temp-dirs.js';
import { policyText } from '../helpers/policies.js';

const REPO = 'acme/models';
const OLD_POLICY = policyText('developer-and-risk');
// Tightened on main after the pull request was opened: the scorers are protected too, and compliance must sign.
const NEW_POLICY = `version: 1
protected_paths: ["models/**", "scorers/**"]
roles:
  - name: developer
    teams: [acme/ml]
  - name: risk
    teams: [acme/risk]
  - name: compliance
    teams: [acme/compliance]
`;
const sha256 = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;

describe('model-gate approve reads the policy where the App does: the base branch\'s tip, not a stale base.sha (GitHub double)', () => {
  let gh: GitHubDouble;
  const tmp = tempDir();

  beforeAll(async () => {
    gh = await GitHubDouble.start();
    gh.addRepo(REPO, { id: 77 });
    gh.setTeam('acme', 'ml', ['alice']);
    gh.setTeam('acme', 'risk', ['bob']);
    gh.setTeam('acme', 'compliance', ['dana']);
    const main = gh.commit(REPO, { branch: 'main', changes: { '.github/model-release-gate.yml': OLD_POLICY } });
    gh.commit(REPO, {
      branch: 'release',
      parent: main,
      author: 'carol',
      changes: { 'models/churn/model.onnx': 'weights', 'scorers/risk.pt': 'scorer' },
    });
    gh.openPull(REPO, { number: 12, author: 'carol', base: 'main', head: 'release' });
    // main moves on: the pull request's base.sha still names the commit with the old policy.
    gh.commit(REPO, { branch: 'main', parent: main, changes: { '.github/model-release-gate.yml': NEW_POLICY } });
  });
  afterAll(async () => {
    await gh.close();
    tmp.cleanup();
  });
  afterEach(() => gh.assertContract());

  const cli = async (login: string, args: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(['approve', '--repo', REPO, '--pr', '12', ...args], {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      env: { GITHUB_TOKEN: gh.userToken(login), GITHUB_API_URL: gh.apiUrl, HOME: tmp.dir, PATH: process.env.PATH },
      cwd: tmp.dir,
      stderrIsTty: false,
    });
    return { code, stdout, stderr };
  };

  it('the double keeps base.sha at the commit the pull request was opened on (the precondition of the defect)', () => {
    expect(gh.pull(REPO, 12).base.sha).not.toBe(gh.repo(REPO).branches.get('main'));
  });

  it('the statement names the artifacts the base branch\'s current policy protects, byte for byte what the App builds', async () => {
    const r = await cli('alice', ['--statement-only']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const statement = JSON.parse(r.stdout);
    expect(statement.artifacts).toEqual([
      { path: 'models/churn/model.onnx', digest: sha256('weights') },
      { path: 'scorers/risk.pt', digest: sha256('scorer') },
    ]);
    // The App's own judgement of the same pull request names the same artifacts.
    const source = githubPullRequestSource(fetchRequester(gh.apiUrl, gh.userToken('gate')), { owner: 'acme', repo: 'models', pull_number: 12 });
    const app = await evaluatePull(source, await source.pull());
    expect(app.policy_sha).toBe(gh.repo(REPO).branches.get('main'));
    expect(app.facts?.artifacts).toEqual(statement.artifacts);
  });

  it('accepts a role only the current policy has (the gate requires it), and refuses one the current policy dropped', async () => {
    const ok = await cli('dana', ['--statement-only', '--role', 'compliance']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).role).toBe('compliance');
    const bad = await cli('alice', ['--statement-only', '--role', 'cfo']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/use one of: developer, risk, compliance/);
  });
});
