import { evaluate } from '../../src/approval/evaluate.js';
import { compare, lineageProblems } from '../../src/approval/pre-approval-checks.js';
import { parsePolicy } from '../../src/approval/policy-parse.js';
import type { PullRequestFacts, Verdict } from '../../src/approval/types.js';
import { baseFacts, DIGEST_A, review } from './helpers.js';
import { sampleMetadata } from '../lineage/sample-metadata.js';
import { productionAndResearch } from '../helpers/policies.js';

const POLICY = parsePolicy(
  productionAndResearch({
    production: ['checks:', '  metadata: true', '  datasets: [training, test]', '  lfs_digest: true', '  metrics: ["accuracy >= 0.9", "max_drawdown <= 0.2"]'],
  }),
);

/** A schema-valid metadata.json (the lineage tests' sample) for the fraud model. */
function metadata(over: Record<string, unknown> = {}): Record<string, unknown> {
  const m = sampleMetadata() as unknown as Record<string, unknown>;
  return {
    ...m,
    model: { path: 'models/prod/fraud/model.pt', type: 'file', digest: DIGEST_A, size: 1234 },
    datasets: [
      { name: 'train', role: 'training', path: 'data/train.parquet', type: 'file', digest: `sha256:${'1'.repeat(64)}`, size: 10 },
      { name: 'test', role: 'test', path: 'data/test.parquet', type: 'file', digest: `sha256:${'2'.repeat(64)}`, size: 10 },
    ],
    metrics: { accuracy: 0.9, max_drawdown: 0.2 },
    ...over,
  };
}

/** A production release approved by alice and carol: only the checks decide. */
function facts(over: Partial<PullRequestFacts> = {}): PullRequestFacts {
  return baseFacts({
    changed_files: ['models/prod/fraud/model.pt', 'models/prod/fraud/metadata.json'],
    metadata: { 'models/prod/fraud/metadata.json': metadata() },
    lfs_oids: { 'models/prod/fraud/model.pt': DIGEST_A },
    reviews: [review('alice'), review('carol')],
    ...over,
  });
}
const failed = (v: Verdict) => v.rules.flatMap((r) => r.checks.filter((c) => !c.passed).map((c) => c.reason));

describe('automated checks', () => {
  it('pass when every threshold is just met, datasets are present and the LFS oid matches', async () => {
    const v = await evaluate(POLICY, facts());
    expect(failed(v)).toEqual([]);
    expect(v.passed).toBe(true);
    expect(v.rules[0].checks.map((c) => c.name)).toEqual([
      'metadata models/prod/fraud/metadata.json',
      'datasets models/prod/fraud/metadata.json',
      'lfs_digest models/prod/fraud/metadata.json',
      'metric accuracy >= 0.9 (models/prod/fraud/metadata.json)',
      'metric max_drawdown <= 0.2 (models/prod/fraud/metadata.json)',
    ]);
  });

  it('fail the gate when a threshold is just missed, whatever the approvals say', async () => {
    const v = await evaluate(POLICY, facts({ metadata: { 'models/prod/fraud/metadata.json': metadata({ metrics: { accuracy: 0.8999, max_drawdown: 0.2000001 } }) } }));
    expect(v.passed).toBe(false);
    expect(v.rules[0].roles.every((r) => r.filled_by.length === r.required)).toBe(true);
    expect(failed(v)).toEqual(['accuracy = 0.8999 does not meet accuracy >= 0.9', 'max_drawdown = 0.2000001 does not meet max_drawdown <= 0.2']);
    expect(v.reasons).toContain('production: check failed: accuracy = 0.8999 does not meet accuracy >= 0.9');
  });

  it('fail on a missing metric and on a metric that is not a number; nested metrics are found by dotted name', async () => {
    let v = await evaluate(POLICY, facts({ metadata: { 'models/prod/fraud/metadata.json': metadata({ metrics: { accuracy: 0.95 } }) } }));
    expect(failed(v)).toEqual(['models/prod/fraud/metadata.json has no metric max_drawdown']);
    v = await evaluate(POLICY, facts({ metadata: { 'models/prod/fraud/metadata.json': metadata({ metrics: { accuracy: '0.95', max_drawdown: 0.1 } }) } }));
    expect(failed(v)).toEqual(['metric accuracy in models/prod/fraud/metadata.json is not a number']);
    const nested = parsePolicy(`version: 1
protected_paths: ["models/**"]
roles: [{name: r, users: [alice]}]
signatures: {required: false}
checks: {metrics: ["test.auc > 0.8"]}
`);
    v = await evaluate(nested, facts({ metadata: { 'models/prod/fraud/metadata.json': metadata({ metrics: { test: { auc: 0.81 } } }) } }));
    expect(v.passed).toBe(true);
  });

  it('fail when the LFS oid differs from the model digest in metadata.json', async () => {
    const other = `sha256:${'c'.repeat(64)}` as const;
    const v = await evaluate(POLICY, facts({ lfs_oids: { 'models/prod/fraud/model.pt': other } }));
    expect(v.passed).toBe(false);
    expect(failed(v)).toEqual([
      `LFS oid of models/prod/fraud/model.pt is ${other}, but models/prod/fraud/metadata.json records ${DIGEST_A}: the metadata describes another model file`,
    ]);
  });

  it('fail when a model changed without metadata.json beside it', async () => {
    const v = await evaluate(POLICY, facts({ changed_files: ['models/prod/churn/model.onnx'], metadata: {} }));
    expect(v.passed).toBe(false);
    expect(failed(v)).toEqual([
      'models/prod/churn/model.onnx changed without models/prod/churn/metadata.json (write it with the release workflow\'s lineage step)',
    ]);
  });

  it('fail when a required dataset role is missing or metadata.json is not valid lineage metadata', async () => {
    let v = await evaluate(POLICY, facts({ metadata: { 'models/prod/fraud/metadata.json': metadata({ datasets: [metadata().datasets![0 as never]] }) } }));
    expect(failed(v)).toEqual(['models/prod/fraud/metadata.json lists no test dataset']);
    v = await evaluate(POLICY, facts({ metadata: { 'models/prod/fraud/metadata.json': { model: { path: 'x', digest: 'md5:1' } } } }));
    expect(failed(v)[0]).toMatch(/^models\/prod\/fraud\/metadata.json is not valid lineage metadata: \/: must have required property/);
    v = await evaluate(POLICY, facts({ metadata: { 'models/prod/fraud/metadata.json': metadata({ model: { path: 'm', type: 'file', digest: 'md5:1', size: 1 } }) } }));
    expect(failed(v)).toEqual(['models/prod/fraud/metadata.json is not valid lineage metadata: /model/digest: must match pattern "^sha256:[0-9a-f]{64}$"']);
  });

  it('accept metadata keyed by the model path, as the facts contract allows', async () => {
    const v = await evaluate(POLICY, facts({ metadata: { 'models/prod/fraud/model.pt': metadata() } }));
    expect(v.passed).toBe(true);
  });

  it('only run for the rule whose paths the model is under', async () => {
    const v = await evaluate(POLICY, facts({ changed_files: ['models/research/x/model.pt'], metadata: {}, reviews: [review('erin')] }));
    expect(v.passed).toBe(true);
    expect(v.rules.map((r) => [r.name, r.applies, r.checks.length])).toEqual([['production', false, 0], ['research', true, 0]]);
  });

  it('a removed model is not checked; a changed metadata.json alone is', async () => {
    let v = await evaluate(POLICY, facts({ changed_files: [{ filename: 'models/prod/old/model.pt', status: 'removed' }] }));
    expect(failed(v)).toEqual([]);
    v = await evaluate(POLICY, facts({ changed_files: ['models/prod/fraud/metadata.json'], metadata: { 'models/prod/fraud/metadata.json': metadata({ metrics: { accuracy: 0.5, max_drawdown: 0.1 } }) } }));
    expect(failed(v)).toEqual(['accuracy = 0.5 does not meet accuracy >= 0.9']);
  });

  it('operators compare as written', () => {
    expect([compare(1, { op: '>', value: 1 }), compare(1, { op: '>=', value: 1 }), compare(1, { op: '<', value: 1 }), compare(1, { op: '<=', value: 1 }), compare(1, { op: '==', value: 1 })]).toEqual([false, true, false, true, true]);
    expect(lineageProblems([])).toEqual(['/: must be object']);
    expect(lineageProblems(sampleMetadata())).toEqual([]);
  });
});
