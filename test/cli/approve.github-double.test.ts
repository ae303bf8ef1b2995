import { createHash } from 'node:crypto';
import { evaluate } from '../../src/approval/evaluate.js';
import { parsePolicy } from '../../src/approval/policy-parse.js';
import { runCli } from '../../src/cli/program.js';
import { gatherFacts } from '../../src/approval/gather-facts.js';
import { githubPullRequestSource } from '../../src/github/pull-request-source.js';
import { fetchRequester } from '../../src/github/fetch-requester.js';
import { factNeeds } from '../../src/approval/fact-needs.js';
import { GitHubDouble } from '../helpers/github-double.js';
import { sshKey, tempDir, type SshKey } from '../helpers/app-harness.js';
import { policyText } from '../helpers/policies.js';

const REPO = 'acme/models';
const POLICY = policyText('developer-and-risk');

describe('model-gate approve, against a GitHub REST double validated by GitHub\'s OpenAPI description', () => {
  let gh: GitHubDouble;
  const tmp = tempDir();
  const keys: Record<string, SshKey> = {};

  beforeAll(async () => {
    gh = await GitHubDouble.start();
    gh.addRepo(REPO, { id: 77 });
    gh.setTeam('acme', 'ml', ['alice']);
    gh.setTeam('acme', 'risk', ['bob']);
    for (const who of ['alice', 'bob']) {
      keys[who] = sshKey(tmp.dir, who);
      gh.addSigningKey(who, keys[who].publicLine);
    }
    const main = gh.commit(REPO, { branch: 'main', changes: { '.github/model-release-gate.yml': POLICY } });
    gh.commit(REPO, {
      branch: 'release',
      parent: main,
      author: 'carol',
      changes: {
        'models/churn/model.onnx': 'weights',
        'models/churn/metadata.json': JSON.stringify({ model: { path: 'model.onnx', digest: `sha256:${'c'.repeat(64)}` } }),
      },
    });
    gh.openPull(REPO, { number: 12, author: 'carol', base: 'main', head: 'release' });
  });
  afterAll(async () => {
    await gh.close();
    tmp.cleanup();
  });
  afterEach(() => gh.assertContract());

  const cli = async (login: string, args: string[], env: Record<string, string> = {}) => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(['approve', '--repo', REPO, '--pr', '12', ...args], {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      env: { GITHUB_TOKEN: gh.userToken(login), GITHUB_API_URL: gh.apiUrl, HOME: tmp.dir, PATH: process.env.PATH, ...env },
      cwd: tmp.dir,
      stderrIsTty: false,
    });
    return { code, stdout, stderr };
  };

  it('--statement-only prints the canonical statement for the signed-in approver, naming the bytes in the commit (not metadata.json\'s claim)', async () => {
    const r = await cli('alice', ['--statement-only']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({
      type: 'model-release-approval',
      repository: REPO,
      repository_id: 77,
      pull_request: 12,
      head_sha: gh.pull(REPO, 12).head.sha,
      approver: { login: 'alice', id: gh.user('alice').id },
      // metadata.json claims sha256:ccc…; the file in the commit is "weights".
      artifacts: [{ path: 'models/churn/model.onnx', digest: `sha256:${createHash('sha256').update('weights').digest('hex')}` }],
    });
    expect(r.stdout.endsWith('\n')).toBe(false);
  });

  it('without --post it prints the review body and posts nothing', async () => {
    const r = await cli('alice', ['--key', keys.alice.path]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('-----BEGIN SSH SIGNATURE-----');
    expect(gh.pull(REPO, 12).reviews).toHaveLength(0);
  });

  it('--post: two approvers sign with ssh-keygen, and the evaluator counts both signatures', async () => {
    expect((await cli('alice', ['--key', keys.alice.path, '--post'])).code).toBe(0);
    const bob = await cli('bob', ['--key', keys.bob.path, '--role', 'risk', '--post']);
    expect(bob.code).toBe(0);
    expect(bob.stdout).toMatch(/^approved acme\/models#12 at [0-9a-f]{12} as bob/);
    const reviews = gh.pull(REPO, 12).reviews;
    expect(reviews.map((r) => [r.login, r.state, r.commit_id])).toEqual([
      ['alice', 'APPROVED', gh.pull(REPO, 12).head.sha],
      ['bob', 'APPROVED', gh.pull(REPO, 12).head.sha],
    ]);
    // The App's gatherer and evaluator accept what the CLI produced.
    const source = githubPullRequestSource(fetchRequester(gh.apiUrl, gh.userToken('gate')), { owner: 'acme', repo: 'models', pull_number: 12 });
    const policy = parsePolicy(POLICY);
    const verdict = await evaluate(policy, await gatherFacts(source, factNeeds(policy, await source.changedFiles())));
    // Both signatures count; the gate still fails, and only because metadata.json
    // claims another digest than the bytes in the commit (the statement names the bytes).
    expect(verdict.passed).toBe(false);
    expect(verdict.reasons).toHaveLength(1);
    expect(verdict.reasons[0]).toMatch(/metadata\.json/);
    expect(verdict.roles.map((r) => [r.role, r.filled_by.map((f) => `${f.login}:${f.signature}`)])).toEqual([
      ['developer', ['alice:valid']],
      ['risk', ['bob:valid']],
    ]);
  });

  it('refuses a role the policy does not have (exit 2) and a missing key (exit 2)', async () => {
    const r = await cli('alice', ['--role', 'cfo', '--key', keys.alice.path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--role cfo is not a role.*\n.*use one of: developer, risk/);
    const k = await cli('alice', ['--key', `${tmp.dir}/nope`]);
    expect(k.code).toBe(2);
    expect(k.stderr).toMatch(/signing key does not exist/);
  });

  it('without a token it says how to get one (exit 2)', async () => {
    const r = await cli('alice', ['--statement-only'], { GITHUB_TOKEN: '', PATH: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no GitHub token[\s\S]*gh auth login/);
  });
});
