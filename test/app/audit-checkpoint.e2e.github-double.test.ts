/**
 * The App signs a checkpoint right after each append when
 * MODEL_GATE_CHECKPOINT_KEY holds the private JWK, so the log it writes
 * always reads `intact` (never an unanchored tail). The App server runs as
 * its own process against the GitHub REST double; the audit store is a
 * real directory, verified afterwards by the CLI.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateCheckpointKeyPair } from '../../src/audit/checkpoint.js';
import { cli } from '../audit/cli-harness.js';
import { appSuite, completedRun, pullRequestEvent } from '../helpers/app-harness.js';

const REPO = 'acme/models';
const INSTALLATION = 41;

describe('the App anchors every record it appends', () => {
  const suite = appSuite({
    env: async () => {
      const pair = await generateCheckpointKeyPair();
      writeFileSync(join(suite.dir, 'key.pub.jwk'), JSON.stringify(pair.publicJwk));
      return { MODEL_GATE_CHECKPOINT_KEY: JSON.stringify(pair.privateJwk) };
    },
  });
  const auditDir = join(suite.dir, 'audit');

  beforeAll(() => {
    suite.app.gh.addRepo(REPO, { id: 9901 });
    suite.app.gh.addInstallation('acme', INSTALLATION);
    const policy = `version: 1\nprotected_paths: ["models/**"]\nroles:\n  - name: developer\n    teams: [acme/ml]\naudit:\n  store: file://${auditDir}\n`;
    suite.app.gh.commit(REPO, { branch: 'main', changes: { '.github/model-release-gate.yml': policy, 'README.md': '# models\n' } });
  });

  it('each verdict record is followed by a checkpoint: verify --require-anchored passes', async () => {
    for (let number = 1; number <= 2; number++) {
      const { gh } = suite.app;
      gh.commit(REPO, { branch: `pr-${number}`, parent: gh.repo(REPO).branches.get('main'), changes: { [`docs/${number}.md`]: 'x\n' }, author: 'carol' });
      gh.openPull(REPO, { number, author: 'carol', base: 'main', head: `pr-${number}` });
      const sha = gh.pull(REPO, number).head.sha;
      const since = gh.checkRuns.length;
      const res = await suite.app.deliver('pull_request', pullRequestEvent(gh, REPO, number, 'opened', INSTALLATION));
      expect([200, 202]).toContain(res.status);
      // The App writes an in_progress run first: wait for the completed one.
      expect((await completedRun(suite.app, sha, since)).conclusion).toBe('success');
      const v = await cli(suite.dir, ['audit', 'verify', '--store', auditDir, '--checkpoint-key', 'key.pub.jwk', '--require-anchored', '--json']);
      expect(v.code).toBe(0);
      expect(v.json()).toMatchObject({ status: 'intact', size: number, anchored_size: number });
    }
  });
});
