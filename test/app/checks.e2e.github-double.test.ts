/**
 * Automated pre-approval checks (metric thresholds, Git LFS digest) end to end:
 * the App server as its own process, signed webhook deliveries over HTTP, a
 * GitHub REST double validated by GitHub's OpenAPI description, and a
 * metadata.json written by the real lineage recorder.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordLineage } from '../../src/lineage/record.js';
import type { CheckRunState } from '../helpers/github-double.js';
import { appSuite, completedRun, pullRequestEvent } from '../helpers/app-harness.js';
import { checkedPolicy } from '../helpers/policies.js';

const REPO = 'acme/trading-models';
const INSTALLATION = 41;
const policy = checkedPolicy(['models: ["models/prod/**/*.onnx"]', 'metadata: true', 'lfs_digest: true', 'metrics: ["accuracy >= 0.9", "max_drawdown <= 0.2"]'], 'models/prod/**');

describe('automated checks through the App, against a GitHub REST double validated by GitHub\'s OpenAPI description', () => {
  const suite = appSuite();
  let n = 0;

  beforeAll(async () => {
    suite.app.gh.addRepo(REPO, { id: 9901 });
    suite.app.gh.addInstallation('acme', INSTALLATION);
    suite.app.gh.setTeam('acme', 'ml', ['alice']);
    suite.app.gh.setTeam('acme', 'risk', ['bob']);
    suite.app.gh.commit(REPO, { branch: 'main', changes: { '.github/model-release-gate.yml': policy } });
  }, 60000);

  /**
   * A release PR whose model is stored in Git LFS (the repository holds the
   * pointer) with a metadata.json recorded from the real bytes.
   */
  async function releasePull(metrics: Record<string, number>, opts: { pointerBytes?: Buffer } = {}): Promise<number> {
    const number = ++n;
    const dir = join(suite.dir, `pr-${number}`);
    const modelPath = `models/prod/momentum-${number}/model.onnx`;
    mkdirSync(join(dir, `models/prod/momentum-${number}`), { recursive: true });
    const bytes = Buffer.from(`onnx weights of release ${number}`);
    writeFileSync(join(dir, modelPath), bytes);
    const r = await recordLineage({ cwd: dir, env: {}, model: modelPath, metrics, python: false });
    const oid = createHash('sha256').update(opts.pointerBytes ?? bytes).digest('hex');
    const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${bytes.length}\n`;
    const { gh } = suite.app;
    gh.commit(REPO, {
      branch: `release-${number}`,
      parent: gh.repo(REPO).branches.get('main'),
      changes: { [modelPath]: pointer, [`models/prod/momentum-${number}/metadata.json`]: JSON.stringify(r.metadata, null, 2) },
      author: 'carol',
    });
    gh.openPull(REPO, { number, author: 'carol', base: 'main', head: `release-${number}` });
    for (const login of ['alice', 'bob']) gh.addReview(REPO, number, { login, state: 'APPROVED', body: 'LGTM' });
    return number;
  }

  async function evaluated(number: number): Promise<CheckRunState> {
    const { gh } = suite.app;
    const sha = gh.pull(REPO, number).head.sha;
    const since = gh.checkRuns.length;
    const res = await suite.app.deliver('pull_request', pullRequestEvent(gh, REPO, number, 'opened', INSTALLATION));
    expect([200, 202]).toContain(res.status);
    return completedRun(suite.app, sha, since);
  }

  it('a threshold just met and a matching LFS oid pass, with each check and its value shown', async () => {
    const run = await evaluated(await releasePull({ accuracy: 0.9, max_drawdown: 0.2 }));
    expect(run.conclusion).toBe('success');
    expect(run.output.summary).toMatch(/\| metric accuracy >= 0\.9 \S+ \| passed \| accuracy = 0\.9 meets/);
    // With the commit's own bytes, the lineage check compares the LFS pointer's oid with metadata.json's digest.
    expect(run.output.summary).toMatch(/\| lineage \S+ \| passed \| \S+ describes models\/prod\/momentum-\d+\/model\.onnx with the digest the head commit holds \|/);
  });

  it('a threshold just missed fails the gate whatever the approvals say', async () => {
    const run = await evaluated(await releasePull({ accuracy: 0.8999, max_drawdown: 0.2 }));
    expect(run.conclusion).toBe('failure');
    expect(run.output.summary).toMatch(/\| metric accuracy >= 0\.9 \S+ \| failed \| accuracy = 0\.8999/);
    expect(run.output.summary).toMatch(/\| metric max_drawdown <= 0\.2 \S+ \| passed \|/);
    expect(run.output.summary).toMatch(/\| @bob \| APPROVED \| `[0-9a-f]+` \| yes \|/);
  });

  it('a missing metric fails the gate', async () => {
    const run = await evaluated(await releasePull({ accuracy: 0.95 }));
    expect(run.conclusion).toBe('failure');
    expect(run.output.summary).toMatch(/\| metric max_drawdown <= 0\.2 \S+ \| failed \|[^\n]*max_drawdown/);
  });

  it('an LFS oid that differs from the lineage digest fails the gate', async () => {
    const run = await evaluated(await releasePull({ accuracy: 0.95, max_drawdown: 0.1 }, { pointerBytes: Buffer.from('other weights') }));
    expect(run.conclusion).toBe('failure');
    expect(run.output.summary).toMatch(/\| lineage \S+ \| failed \| \S+ records model digest sha256:[0-9a-f]{64} for models\/prod\/momentum-\d+\/model\.onnx, but the head commit holds [^|]*sha256:[0-9a-f]{64}/);
    // The approvals were all there: the check alone failed the gate.
    expect(run.output.summary).toMatch(/\| @alice \| APPROVED \| `[0-9a-f]+` \| yes \|/);
  });
});
