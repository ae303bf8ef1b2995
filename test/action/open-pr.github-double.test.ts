import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GitHubDouble } from '../helpers/github-double.js';
import { runAction } from '../helpers/action-runner.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const entry = join(root, 'lib', 'src', 'action', 'index.js');
const example = join(root, 'examples', 'release-repo');
const REPO = 'acme-bank/credit-models';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=Dev', '-c', 'user.email=dev@example.com', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    encoding: 'utf8',
  }).trim();

describe('Action open-pr mode against a GitHub REST double validated by GitHub\'s OpenAPI description', () => {
  let double: GitHubDouble;
  let bare: string;
  let ws: string;
  let token: string;

  beforeAll(async () => {
    double = await GitHubDouble.start();
    const tmp = mkdtempSync(join(tmpdir(), 'mrg-openpr-'));
    // GitHub's git storage: a bare repository the workflow's checkout pushes to.
    bare = join(tmp, 'origin.git');
    git(tmp, 'init', '--bare', '-q', bare);
    ws = join(tmp, 'checkout');
    cpSync(example, ws, { recursive: true, filter: (src) => !/metadata(\.intoto)?\.json$|\.audit/.test(src) });
    git(ws, 'init', '-q');
    git(ws, 'add', '-A');
    git(ws, 'commit', '-q', '-m', 'initial');
    git(ws, 'remote', 'add', 'origin', bare);
    git(ws, 'push', '-q', 'origin', 'main');

    // The base branch as GitHub serves it: the policy, and the lineage of the deployed model.
    const deployed = await record(ws);
    deployed.hyperparameters.learning_rate = 0.1;
    double.addRepo(REPO);
    double.gitRemotes.set(REPO, bare);
    double.commit(REPO, {
      branch: 'main',
      changes: {
        '.github/model-release-gate.yml': readFileSync(join(example, '.github', 'model-release-gate.yml'), 'utf8'),
        'models/credit-risk/metadata.json': JSON.stringify(deployed, null, 2),
      },
    });
    token = double.userToken('release-bot');
  });

  afterAll(async () => {
    double.assertContract();
    await double.close();
  });

  async function record(dir: string) {
    const r = await runAction(entry, { model: 'models/credit-risk/model.pt', 'python-environment': 'false' }, { GITHUB_WORKSPACE: dir });
    expect(r.code).toBe(0);
    const m = JSON.parse(readFileSync(join(dir, 'models', 'credit-risk', 'metadata.json'), 'utf8'));
    execFileSync('git', ['checkout', '-q', '--', '.'], { cwd: dir });
    execFileSync('rm', ['-f', join(dir, 'models', 'credit-risk', 'metadata.json')]);
    return m;
  }

  const release = () =>
    runAction(
      entry,
      {
        model: 'models/credit-risk/model.pt',
        datasets: 'training=data/training\nvalidation=data/validation/holdout.parquet',
        hyperparameters: 'config/hyperparameters.json',
        metrics: 'reports/metrics.json',
        'python-environment': 'false',
        'open-pr': 'true',
        'github-token': token,
      },
      {
        GITHUB_WORKSPACE: ws,
        GITHUB_REPOSITORY: REPO,
        GITHUB_API_URL: double.apiUrl,
        GITHUB_SERVER_URL: double.url,
        GITHUB_SHA: git(ws, 'rev-parse', 'HEAD'),
        GITHUB_RUN_ID: '77',
      },
    );

  it('opens the release PR with digests, the lineage diff, the roles needed and the signing command; a re-run updates it', async () => {
    const first = await release();
    expect(first.stdout).not.toContain('::error::');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.outputs['pull-request-number']).toBe('1');
    const pr = double.pull(REPO, 1);
    expect(pr.head.ref).toBe('model-release/credit-risk');
    expect(pr.base.ref).toBe('main');
    const metadata = JSON.parse(git(bare, 'show', 'model-release/credit-risk:models/credit-risk/metadata.json'));
    expect(pr.body).toContain(metadata.model.digest);
    expect(pr.body).toContain(metadata.datasets[0].digest);
    expect(pr.body).toMatch(/\| `\/hyperparameters\/learning_rate` \| changed \| 0\.1 \| 0\.05 \|/);
    expect(pr.body).toMatch(/\| senior-developer \| 1 \| @acme-bank\/senior-ml-engineers \| yes \|/);
    expect(pr.body).toMatch(/\| risk-manager \| 1 \| @acme-bank\/model-risk \| yes \|/);
    expect(pr.body).toContain(`model-gate approve --repo ${REPO} --pr`);
    expect(first.summary).toMatch(/Release pull request \[#1\]\(.*\) opened/);
    // The release branch holds the model and its lineage, committed by git.
    expect(git(bare, 'ls-tree', '-r', '--name-only', 'model-release/credit-risk')).toContain('models/credit-risk/model.pt');
    expect(pr.head.sha).toBe(git(bare, 'rev-parse', 'model-release/credit-risk'));

    const second = await release();
    expect(second.code).toBe(0);
    expect(second.outputs['pull-request-number']).toBe('1');
    expect(second.summary).toContain('updated');
    expect(double.repo(REPO).pulls.size).toBe(1);
    const moved = git(bare, 'rev-parse', 'model-release/credit-risk');
    expect(double.pull(REPO, 1).head.sha).toBe(moved);
    expect(double.requestsTo('/repos/{owner}/{repo}/pulls', 'POST')).toHaveLength(1);
    expect(double.requestsTo('/repos/{owner}/{repo}/pulls/{pull_number}', 'PATCH')).toHaveLength(1);
  });

  it('fails with exit 3 and names the permission when GitHub refuses the token', async () => {
    const r = await runAction(
      entry,
      { model: 'models/credit-risk/model.pt', 'python-environment': 'false', 'open-pr': 'true', 'github-token': 'ghp_not-a-real-token' },
      { GITHUB_WORKSPACE: ws, GITHUB_REPOSITORY: REPO, GITHUB_API_URL: double.apiUrl },
    );
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/::error::.*GitHub refused.*HTTP 401/);
    expect(r.stdout).toContain('pull-requests: write');
  });
});
