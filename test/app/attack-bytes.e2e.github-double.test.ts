/**
 * Attacks on "the approvers signed these bytes" (issue 10, items 4 and 7,
 * gathering side), through the App server over HTTP: signed webhook
 * deliveries, a GitHub double validated by GitHub's OpenAPI description that
 * models the Git Data API (trees with modes, blobs) and the contents API's
 * documented symlink behaviour, and real ssh-keygen signatures.
 */
import { startApp, tempDir, type RunningApp } from '../helpers/app-harness.js';
import { Scenario, sha256 } from '../helpers/app-release.js';

const POLICY = `version: 1
protected_paths: ["models/**"]
roles:
  - name: developer
    teams: [acme/ml]
  - name: risk
    teams: [acme/risk]
`;

describe('attacks on the bytes the approvers sign, through the App', () => {
  let app: RunningApp;
  let s: Scenario;
  const tmp = tempDir('mrg-attack-bytes-');

  beforeAll(async () => {
    app = await startApp();
    s = Scenario.create(app, { repo: 'acme/bytes', installation: 61, dir: tmp.dir, policy: POLICY });
  }, 60000);
  afterAll(async () => {
    await app?.stop();
    tmp.cleanup();
  });
  afterEach(() => app.gh.assertContract());

  it('attack: metadata.json claims the approved digest B while the commit holds other bytes A; signatures over B do not count', async () => {
    const approvedBytes = 'the weights the risk team reviewed';
    const B = sha256(approvedBytes);
    const rel = s.openRelease({ weights: 'weights nobody reviewed', claimed: B });
    // Both approvers sign what metadata.json says (B): what an attacker shows them.
    const overB = (login: string) => s.statement(rel.number, login, { artifacts: [{ path: rel.modelPath, digest: B }], lineage: rel.metaDigest });
    s.approve(rel.number, 'alice', overB('alice'));
    s.approve(rel.number, 'bob', overB('bob'));
    const run = await s.reviewed(rel.number, 'bob');
    expect(run.conclusion).toBe('failure');
    // The statement to sign names the bytes in the commit (A), hashed by the App.
    expect(run.output.summary).toContain(`"artifacts":[{"digest":"${rel.model}","path":"${rel.modelPath}"}]`);
    expect(run.output.summary).toMatch(new RegExp(`\\| \`${rel.modelPath}\` \\| file \\| \`${rel.model}\` \\|`));
    expect(run.output.summary).not.toContain(`"digest":"${B}"`);
  });

  it('the same approvals over the bytes in the commit pass (the gate is not just closed)', async () => {
    const rel = s.openRelease();
    s.approve(rel.number, 'alice', s.statement(rel.number, 'alice', { release: rel }));
    s.approve(rel.number, 'bob', s.statement(rel.number, 'bob', { release: rel }));
    const run = await s.reviewed(rel.number, 'bob');
    expect(run.conclusion).toBe('success');
  });

  it("the lineage digest is the SHA-256 of metadata.json's bytes, also when they are not valid UTF-8 (sha256sum, not decoded text)", async () => {
    const meta = Buffer.concat([Buffer.from('{"model":{"path":"model.onnx","digest":"sha256:'), Buffer.from('0'.repeat(64)), Buffer.from('"},"note":"'), Buffer.from([0xe9, 0xff]), Buffer.from('"}')]);
    const rel = s.openRelease({ meta });
    const run = await s.evaluate(rel.number);
    expect(run.output.summary).toContain(`"lineage_digest":"${sha256(meta)}"`);
    expect(run.output.summary).not.toContain(`"lineage_digest":"${sha256(meta.toString('utf8'))}"`);
  });
});
