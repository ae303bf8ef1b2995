import fc from 'fast-check';
import type { Verdict } from '../../src/approval/types.js';
import type { Digest } from '../../src/core/digest.js';
import { decideDeployment, decisionComment, MAX_COMMENT, type DeploymentFacts } from '../../src/deploy/deployment-gate.js';

const MODEL = `sha256:${'a'.repeat(64)}` as Digest;
const OTHER = `sha256:${'b'.repeat(64)}` as Digest;
const META = `sha256:${'c'.repeat(64)}` as Digest;
const SHA = '1'.repeat(40);
const NOW = '2026-11-27T12:00:00.000Z';

const passing: Verdict = {
  passed: true,
  release: true,
  head_sha: '2'.repeat(40),
  rules: [],
  roles: [
    { rule: 'release', role: 'developer', required: 1, filled_by: [{ login: 'alice', signature: 'valid', key_fingerprint: 'SHA256:x' }] },
    { rule: 'release', role: 'risk', required: 1, filled_by: [{ login: 'bob', signature: 'valid', key_fingerprint: 'SHA256:y' }] },
  ],
  approvals: [],
  reasons: [],
};

function facts(over: Partial<DeploymentFacts> = {}): DeploymentFacts {
  return {
    repository: 'acme/models',
    environment: 'production',
    sha: SHA,
    now: NOW,
    environment_policy: { name: 'production', release: true, change_request: true, release_branches: null },
    release: {
      pull_request: 7,
      base_ref: 'main',
      base_sha: '3'.repeat(40),
      head_sha: '2'.repeat(40),
      verdict: passing,
      artifacts: [{ path: 'models/fraud/model.onnx', digest: MODEL }],
      lineage_digest: META,
      deployed: [{ path: 'models/fraud/metadata.json', digest: META, model_digest: MODEL, model_path: 'model.onnx' }],
      deployed_artifacts: [{ path: 'models/fraud/model.onnx', kind: 'blob', digest: MODEL, size: 9 }],
    },
    audit: {
      stores: ['file://.audit'],
      verified: true,
      findings: [],
      size: 5,
      checkpoint_key: true,
      newest_checkpoint: 3,
      release_records: [{ seq: 1, digest: OTHER, subject: [MODEL, META] }],
    },
    change: {
      correlation_id: 'github:acme/models:pr:7',
      record: { number: 'CHG0030001', state: '-2', approval: 'approved' },
      settings: {},
    },
    ...over,
  };
}

describe('decideDeployment (pure)', () => {
  it('approves when everything matches, and says what was verified', () => {
    const d = decideDeployment(facts());
    expect(d.state).toBe('approved');
    expect(d.change_number).toBe('CHG0030001');
    expect(d.reasons.join('\n')).toMatch(/release pull request #7 .* approved .* by alice \(developer, signed\), bob \(risk, signed\)/);
    expect(d.reasons.join('\n')).toMatch(/names exactly the signed artifacts/);
    expect(d.reasons.join('\n')).toMatch(/holds the MODEL_RELEASE record 1/);
    expect(d.reasons.join('\n')).toMatch(/CHG0030001 is approved/);
  });

  it('rejects a deployed digest the approvers did not sign', () => {
    const f = facts();
    f.release!.deployed[0].model_digest = OTHER;
    const d = decideDeployment(f);
    expect(d.state).toBe('rejected');
    expect(d.reasons.join('\n')).toMatch(/names model sha256:b+, which the approvers did not sign/);
    expect(d.reasons.join('\n')).toMatch(/signed models\/fraud\/model\.onnx sha256:a+, but the deployed commit's metadata\.json does not name it/);
  });

  it('rejects a deployed commit whose model bytes are not the signed ones, even when its metadata.json still names them', () => {
    const f = facts();
    f.release!.deployed_artifacts = [{ path: 'models/fraud/model.onnx', kind: 'blob', digest: OTHER, size: 9 }];
    let d = decideDeployment(f);
    expect(d.state).toBe('rejected');
    expect(d.reasons.join('\n')).toMatch(/models\/fraud\/model\.onnx in the deployed commit is sha256:b+, not the sha256:a+ the approvers signed/);
    f.release!.deployed_artifacts = [{ path: 'models/fraud/model.onnx', kind: 'symlink', reason: 'models/fraud/model.onnx is a symbolic link (mode 120000)' }];
    d = decideDeployment(f);
    expect(d.reasons.join('\n')).toMatch(/cannot be the signed artifact: .*symbolic link/);
    f.release!.deployed_artifacts = [{ path: 'models/fraud/model.onnx', kind: 'unreadable', reason: 'GitHub answered 502' }];
    expect(decideDeployment(f).state).toBe('rejected');
    f.release!.deployed_artifacts = [];
    d = decideDeployment(f);
    expect(d.reasons.join('\n')).toMatch(/was not hashed in the deployed commit/);
  });

  it('a release merged into a branch the environment does not list (default: the default branch only) is rejected', () => {
    const f = facts({ default_branch: 'main' });
    expect(decideDeployment(f).state).toBe('approved');
    f.release!.base_ref = 'evil-base';
    let d = decideDeployment(f);
    expect(d.state).toBe('rejected');
    expect(d.reasons.join('\n')).toMatch(/merged into evil-base, which is not a release branch for production \(main;/);
    // release_branches takes names and globs.
    f.environment_policy = { ...f.environment_policy!, release_branches: ['main', 'release/*'] };
    f.release!.base_ref = 'release/2026.11';
    expect(decideDeployment(f).state).toBe('approved');
    f.release!.base_ref = 'release-candidate';
    d = decideDeployment(f);
    expect(d.reasons.join('\n')).toMatch(/not a release branch for production \(main, release\/\*;/);
  });

  it('rejects a changed lineage record and a missing metadata.json', () => {
    const f = facts();
    f.release!.deployed[0].digest = OTHER;
    expect(decideDeployment(f).reasons.join('\n')).toMatch(/not the lineage record the approvers signed/);
    f.release!.deployed[0].digest = null;
    expect(decideDeployment(f).reasons.join('\n')).toMatch(/missing from the deployed commit/);
  });

  it('rejects when the approvals no longer pass, with the evaluator\'s reasons', () => {
    const d = decideDeployment(facts({ release: { ...facts().release!, verdict: { ...passing, passed: false, reasons: ['risk: 1 more approval needed'] } } }));
    expect(d.state).toBe('rejected');
    expect(d.reasons[0]).toMatch(/no longer pass the policy of its base branch: risk: 1 more approval needed/);
  });

  it('rejects without a release PR unless the environment needs none', () => {
    const none = facts({ release: null, release_search: 'associated pull requests: #3 open' });
    const d = decideDeployment(none);
    expect(d.state).toBe('rejected');
    expect(d.reasons[0]).toMatch(/no merged pull request has 111111111111 as its merge commit \(associated pull requests: #3 open\)/);
    const scratch = decideDeployment({ ...none, environment_policy: { name: 'scratch', release: false, change_request: false, release_branches: null }, change: null });
    expect(scratch.state).toBe('approved');
  });

  it('rejects an environment the policy does not list, and an invalid policy', () => {
    expect(decideDeployment(facts({ environment_policy: null })).reasons[0]).toMatch(/does not list the environment "production"/);
    expect(decideDeployment(facts({ policy_problem: 'the policy at abc is not valid' })).reasons).toEqual(['the policy at abc is not valid']);
  });

  it('rejects a missing MODEL_RELEASE record, an unverified log, no checkpoint, or a record after the newest checkpoint', () => {
    const audit = facts().audit!;
    const reasons = (a: Partial<typeof audit>) => decideDeployment(facts({ audit: { ...audit, ...a } })).reasons.join('\n');
    expect(reasons({ release_records: [] })).toMatch(/holds no MODEL_RELEASE record for models\/fraud\/model\.onnx/);
    expect(reasons({ verified: false, findings: ['record 2: modified: x'] })).toMatch(/does not verify: record 2: modified: x/);
    expect(reasons({ newest_checkpoint: null })).toMatch(/has no checkpoint signed by the policy's checkpoint key/);
    expect(reasons({ newest_checkpoint: 1 })).toMatch(/record 1\) is not yet covered by a signed checkpoint/);
    expect(reasons({ error: 'ENOENT' })).toMatch(/could not be read: ENOENT/);
    // Without a checkpoint key only the chain counts.
    expect(decideDeployment(facts({ audit: { ...audit, checkpoint_key: false, newest_checkpoint: null } })).state).toBe('approved');
  });

  it('waits on a change awaiting the board or an unreachable service; rejects a rejected or missing change', () => {
    const change = facts().change!;
    const with_ = (c: Partial<typeof change>) => decideDeployment(facts({ change: { ...change, ...c } }));
    expect(with_({ record: { number: 'CHG1', state: '-3', approval: 'requested' } })).toMatchObject({ state: 'pending', change_number: 'CHG1' });
    expect(with_({ error: 'ServiceNow answered 503' }).state).toBe('pending');
    expect(with_({ record: { number: 'CHG1', state: '-5', approval: 'rejected' } }).state).toBe('rejected');
    expect(with_({ record: null }).reasons[0]).toMatch(/no change request has correlation id github:acme\/models:pr:7: open one .*--correlation-id github:acme\/models:pr:7/);
    expect(with_({ correlation_id: null }).state).toBe('rejected');
  });

  it('never approves when any check fails, and a rejection wins over a wait (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          passed: fc.boolean(),
          digestOk: fc.boolean(),
          verified: fc.boolean(),
          hasRecord: fc.boolean(),
          change: fc.constantFrom('approved', 'requested', 'rejected', 'error'),
          gatherError: fc.boolean(),
        }),
        (x) => {
          const f = facts();
          f.release!.verdict = { ...passing, passed: x.passed };
          if (!x.digestOk) f.release!.deployed[0].model_digest = OTHER;
          f.audit!.verified = x.verified;
          if (!x.hasRecord) f.audit!.release_records = [];
          if (x.gatherError) f.errors = ['GitHub answered 500'];
          f.change = x.change === 'error'
            ? { ...f.change!, error: 'timeout' }
            : { ...f.change!, record: { number: 'CHG1', state: x.change === 'approved' ? '-2' : '-3', approval: x.change } };
          const d = decideDeployment(f);
          const allOk = x.passed && x.digestOk && x.verified && x.hasRecord && !x.gatherError;
          if (!allOk || x.change === 'rejected') expect(d.state).toBe('rejected');
          else if (x.change === 'approved') expect(d.state).toBe('approved');
          else expect(d.state).toBe('pending');
          expect(d.reasons.length).toBeGreaterThan(0);
        },
      ),
    );
  });

  it('the comment fits GitHub\'s 1,024 characters', () => {
    const d = decideDeployment(facts({ errors: Array.from({ length: 40 }, (_, i) => `error number ${i} `.repeat(5)) }));
    const c = decisionComment(d, 'production');
    expect(c.length).toBeLessThanOrEqual(MAX_COMMENT);
    expect(c).toMatch(/^model-release-gate rejected the deployment to production:/);
    expect(c).toMatch(/full reasons in the audit log/);
  });
});
