/**
 * Attacks on "the approvers signed these bytes" (issue 10, items 4 and 7,
 * gathering side), through the App server over HTTP: signed webhook
 * deliveries, a GitHub double validated by GitHub's OpenAPI description that
 * models the Git Data API (trees with modes, blobs) and the contents API's
 * documented symlink behaviour, and real ssh-keygen signatures.
 */
import { appSuite } from '../helpers/app-harness.js';
import { Scenario, sha256 } from '../helpers/app-release.js';
import { basicError, gitBlobSha } from '../helpers/github-double.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordLineage } from '../../src/lineage/record.js';
import { checkedPolicy, policyText } from '../helpers/policies.js';

const POLICY = policyText('developer-and-risk');

// Approvals without signatures, and the Git LFS check: what a team that relies on the automated checks runs.
const CHECKED = checkedPolicy(['models: ["models/**/*.onnx"]', 'lfs_digest: true']);

const pointer = (oid: string, size: number) => `version https://git-lfs.github.com/spec/v1\noid ${oid}\nsize ${size}\n`;

describe('attacks on the bytes the approvers sign, through the App', () => {
  const suite = appSuite({ tmpPrefix: 'mrg-attack-bytes-' });
  let s: Scenario;
  let checked: Scenario;

  beforeAll(async () => {
    s = Scenario.create(suite.app, { repo: 'acme/bytes', installation: 61, dir: suite.dir, policy: POLICY });
    checked = Scenario.create(suite.app, { repo: 'acme/checked', installation: 61, dir: suite.dir, policy: CHECKED });
  }, 60000);

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

  it('attack: the model is a symbolic link (mode 120000) to a file the approvers saw: refused, whatever the signatures say', async () => {
    const seen = 'weights the risk team reviewed';
    const rel = s.openRelease({ weights: seen, model: { mode: '120000', content: '../../README.md' }, extra: { 'README.md': seen } });
    // The contents API follows the link to README.md: what the first build hashed.
    const over = (login: string) => s.statement(rel.number, login, { artifacts: [{ path: rel.modelPath, digest: sha256(seen) }], lineage: rel.metaDigest });
    s.approve(rel.number, 'alice', over('alice'));
    s.approve(rel.number, 'bob', over('bob'));
    const run = await s.reviewed(rel.number, 'bob');
    expect(run.conclusion).toBe('failure');
    expect(run.output.summary).toMatch(/model\.onnx is a symbolic link in the head commit \(mode 120000\)/);
  });

  it('attack: a 502 while reading the Git LFS pointer fails the gate with the reason (it used to read as "not in LFS", a pass)', async () => {
    const { gh } = suite.app;
    const weights = 'the real onnx weights';
    // The pointer names other bytes than metadata.json: the LFS check would catch it, if it could read the pointer.
    const ptr = pointer(sha256('other weights nobody reviewed'), 29);
    const rel = checked.openRelease({ weights, model: ptr });
    gh.addReview('acme/checked', rel.number, { login: 'alice', state: 'APPROVED', body: 'LGTM' });
    gh.addReview('acme/checked', rel.number, { login: 'bob', state: 'APPROVED', body: 'LGTM' });
    const blob = gitBlobSha(Buffer.from(ptr));
    gh.intercept = (req) =>
      (req.route === '/repos/{owner}/{repo}/git/blobs/{file_sha}' && req.path.endsWith(blob)) ||
      (req.route === '/repos/{owner}/{repo}/contents/{path}' && decodeURIComponent(req.path).endsWith(rel.modelPath))
        ? { status: 502, body: basicError('Server Error') }
        : undefined;
    try {
      const run = await checked.evaluate(rel.number);
      expect(run.conclusion).toBe('failure');
      expect(run.output.summary).toMatch(/model\.onnx could not be read from the head commit \(.*502/);
    } finally {
      gh.intercept = null;
    }
  });

  it('attack: metadata.json names another path than the changed LFS model (or an s3:// URL): the changed model is still held against the lineage', async () => {
    const { gh } = suite.app;
    const ptr = pointer(sha256('weights nobody reviewed'), 23);
    // A valid lineage record (written by the real recorder) of the reviewed weights ...
    const dir = join(suite.dir, 'lineage');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'model.onnx'), 'weights the team reviewed');
    const recorded = (await recordLineage({ cwd: dir, env: {}, model: 'model.onnx', python: false })).metadata;
    for (const named of ['elsewhere/model.onnx', 's3://models-bucket/fraud/model.onnx']) {
      // ... whose model path names something other than the changed file.
      const meta = Buffer.from(JSON.stringify({ ...recorded, model: { ...recorded.model, path: named } }, null, 2));
      const rel = checked.openRelease({ model: ptr, meta });
      gh.addReview('acme/checked', rel.number, { login: 'alice', state: 'APPROVED', body: 'LGTM' });
      gh.addReview('acme/checked', rel.number, { login: 'bob', state: 'APPROVED', body: 'LGTM' });
      const run = await checked.evaluate(rel.number);
      expect(run.conclusion).toBe('failure');
      expect(run.output.summary).not.toMatch(/not stored in Git LFS/);
    }
  });
});
