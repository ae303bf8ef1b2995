/**
 * The gate judges the bytes of the head commit, never metadata.json's claims
 * (issue 10, attacks 4 and 7, evaluator side): `head_files` carries what the
 * gatherer hashed from Git's objects, and every changed protected file, every
 * model and dataset the lineage names and every artifact the statement names
 * must agree with it.
 */
import { evaluate } from '../../src/approval/evaluate.js';
import { parsePolicy } from '../../src/approval/policy-parse.js';
import type { HeadFileFact, PullRequestFacts, Verdict } from '../../src/approval/types.js';
import { sampleMetadata } from '../lineage/sample-metadata.js';
import { baseFacts, DIGEST_A, DIGEST_B, KeyRing, signedReview, type TestKey } from './helpers.js';

const DIGEST_C = `sha256:${'c'.repeat(64)}` as const;
const DIGEST_D = `sha256:${'d'.repeat(64)}` as const;

const SIGNED = parsePolicy(`version: 1
protected_paths: ["models/**"]
roles:
  - {name: senior-developer, teams: [acme/senior-developers]}
  - {name: risk-manager, teams: [acme/risk-managers]}
`);
const UNSIGNED = parsePolicy(`version: 1
protected_paths: ["models/**"]
roles:
  - {name: senior-developer, teams: [acme/senior-developers]}
  - {name: risk-manager, teams: [acme/risk-managers]}
signatures: {required: false}
`);

const ring = new KeyRing();
afterAll(() => ring.cleanup());
const keyOf = (login: string): TestKey => ring.key(login);

const MODEL = 'models/fraud/model.onnx';
const META = 'models/fraud/metadata.json';

/** A schema-valid metadata.json for the fraud model, claiming `digest`. */
function metadata(over: { model?: Record<string, unknown>; datasets?: unknown[] } = {}): Record<string, unknown> {
  const m = sampleMetadata() as unknown as Record<string, unknown>;
  return {
    ...m,
    model: { path: 'model.onnx', type: 'file', digest: DIGEST_A, size: 1234, ...over.model },
    datasets: over.datasets ?? [
      { name: 'train', role: 'training', path: 'data/train.csv', type: 'file', digest: DIGEST_C, size: 10 },
    ],
  };
}

const blob = (path: string, digest: HeadFileFact['digest'], size = 1234): HeadFileFact => ({ path, kind: 'blob', digest, size });

/** A release PR changing the model and its metadata.json, whose head holds the model with digest A. */
function facts(over: Partial<PullRequestFacts> = {}): PullRequestFacts {
  const f = baseFacts({
    changed_files: [MODEL, META],
    artifacts: [{ path: MODEL, digest: DIGEST_A }],
    metadata: { [META]: metadata() },
    head_files: [blob(MODEL, DIGEST_A), blob(META, DIGEST_B, 900)],
    signing_keys: { alice: [keyOf('alice').pub], carol: [keyOf('carol').pub] },
    ...over,
  });
  return f;
}
/** alice and carol sign the statement of `f` (or of `statementFacts`). */
function approved(f: PullRequestFacts, statementFacts?: Partial<PullRequestFacts>): PullRequestFacts {
  return {
    ...f,
    reviews: [
      signedReview(f, 'alice', keyOf('alice'), { statementFacts }),
      signedReview(f, 'carol', keyOf('carol'), { statementFacts }),
    ],
  };
}
const failedChecks = (v: Verdict): string[] => v.rules.flatMap((r) => r.checks.filter((c) => !c.passed).map((c) => c.reason));
const rolesFilled = (v: Verdict): boolean => v.roles.every((r) => r.filled_by.length === r.required);

describe('attack: the model bytes are never hashed (metadata.json lies about the model)', () => {
  it('passes when the computed digest, metadata.json and the signed statement agree', async () => {
    const v = await evaluate(SIGNED, approved(facts()));
    expect(failedChecks(v)).toEqual([]);
    expect(v.passed).toBe(true);
    expect(v.rules[0].checks.map((c) => c.name)).toEqual(['bytes', `lineage ${META}`, 'artifacts']);
    expect(v.notes ?? []).toEqual([]);
  });

  it('metadata.json claims B, the commit holds A: fails even with both signatures over B', async () => {
    const lie = facts({
      metadata: { [META]: metadata({ model: { digest: DIGEST_D } }) },
      // The gatherer names what it computed; the attacker got both people to sign over D.
      artifacts: [{ path: MODEL, digest: DIGEST_A }],
    });
    const v = await evaluate(SIGNED, approved(lie));
    expect(v.passed).toBe(false);
    expect(failedChecks(v)).toEqual([
      `${META} records model digest ${DIGEST_D} for ${MODEL}, but the head commit holds ${DIGEST_A} there: the metadata describes other bytes than the commit`,
    ]);
  });

  it('artifacts that repeat metadata.json\'s claim instead of the computed digest fail, and signatures over them do not help', async () => {
    const lie = facts({ metadata: { [META]: metadata({ model: { digest: DIGEST_D } }) }, artifacts: [{ path: MODEL, digest: DIGEST_D }] });
    const v = await evaluate(SIGNED, approved(lie));
    expect(v.passed).toBe(false);
    expect(rolesFilled(v)).toBe(true);
    expect(failedChecks(v)).toContain(
      `the statement would name ${DIGEST_D} for ${MODEL}, but the head commit holds ${DIGEST_A}: a signed statement must name the digests computed from the commit`,
    );
  });

  it('a changed model that the statement does not name fails (approvals would not cover its bytes)', async () => {
    const v = await evaluate(SIGNED, approved(facts({ artifacts: [] })));
    expect(v.passed).toBe(false);
    expect(failedChecks(v)).toEqual([
      `${MODEL} changed, but the statement's artifacts do not name it: the approvals would not cover its bytes`,
    ]);
  });

  it('an LFS pointer whose oid differs from metadata.json fails, naming the pointer', async () => {
    const v = await evaluate(
      UNSIGNED,
      facts({ reviews: [], head_files: [{ path: MODEL, kind: 'lfs', digest: DIGEST_C, size: 1234 }, blob(META, DIGEST_B)] }),
    );
    expect(failedChecks(v)).toEqual([
      `${META} records model digest ${DIGEST_A} for ${MODEL}, but the head commit holds a Git LFS pointer to ${DIGEST_C} there: the metadata describes other bytes than the commit`,
    ]);
  });

  it('a size that disagrees with the commit fails even when the digest agrees', async () => {
    const v = await evaluate(UNSIGNED, facts({ head_files: [blob(MODEL, DIGEST_A, 99), blob(META, DIGEST_B)] }));
    expect(failedChecks(v)).toEqual([`${META} records size 1234 for ${MODEL}, but the head commit holds 99 bytes there`]);
  });

  it('a dataset file in the commit whose digest differs from the lineage fails; datasets outside the commit are not judged', async () => {
    let v = await evaluate(UNSIGNED, facts({ head_files: [blob(MODEL, DIGEST_A), blob(META, DIGEST_B), blob('data/train.csv', DIGEST_D, 10)] }));
    expect(failedChecks(v)).toEqual([
      `${META} records dataset digest ${DIGEST_C} for data/train.csv, but the head commit holds ${DIGEST_D} there: the metadata describes other bytes than the commit`,
    ]);
    v = await evaluate(UNSIGNED, facts({ head_files: [blob(MODEL, DIGEST_A), blob(META, DIGEST_B), { path: 'data/train.csv', kind: 'absent' }] }));
    expect(failedChecks(v)).toEqual([]);
  });
});

describe('attack: a protected path that is not a regular file', () => {
  it('a symlink at a protected path fails with that reason', async () => {
    const v = await evaluate(UNSIGNED, facts({ head_files: [{ path: MODEL, kind: 'symlink' }, blob(META, DIGEST_B)] }));
    expect(v.passed).toBe(false);
    expect(failedChecks(v)).toContain(
      `${MODEL} is a symbolic link in the head commit (mode 120000): a protected path must be a regular file or a Git LFS pointer, or the bytes the gate judged are not the bytes that ship`,
    );
  });

  it('a submodule at a protected path fails with that reason', async () => {
    const v = await evaluate(
      UNSIGNED,
      facts({ changed_files: ['models/vendor'], metadata: {}, artifacts: [], head_files: [{ path: 'models/vendor', kind: 'submodule' }] }),
    );
    expect(v.passed).toBe(false);
    expect(failedChecks(v)).toEqual([
      'models/vendor is a submodule in the head commit (mode 160000): its bytes live in another repository, out of the gate\'s sight',
    ]);
  });

  it('an unreadable protected file fails closed with its reason', async () => {
    const v = await evaluate(
      UNSIGNED,
      facts({ head_files: [{ path: MODEL, kind: 'unreadable', reason: 'GitHub answered 502 to GET /repos/{owner}/{repo}/git/blobs/{file_sha}' }, blob(META, DIGEST_B)] }),
    );
    expect(v.passed).toBe(false);
    expect(failedChecks(v)).toContain(
      `${MODEL} could not be read from the head commit (GitHub answered 502 to GET /repos/{owner}/{repo}/git/blobs/{file_sha}): the gate fails closed`,
    );
  });

  it('a changed protected file the facts do not account for fails closed', async () => {
    const v = await evaluate(UNSIGNED, facts({ changed_files: [MODEL, META, 'models/fraud/README.md'] }));
    expect(v.passed).toBe(false);
    expect(failedChecks(v)).toEqual([
      'models/fraud/README.md changed, but the facts do not say what the head commit holds there (no head_files entry): the gate judges only bytes it read from the commit',
    ]);
  });

  it('a file listed as changed and present that the head does not hold fails closed', async () => {
    const v = await evaluate(UNSIGNED, facts({ head_files: [{ path: MODEL, kind: 'absent' }, blob(META, DIGEST_B)] }));
    expect(failedChecks(v)).toContain(`${MODEL} is listed as changed but the head commit does not hold it: the facts disagree, so the gate fails closed`);
  });
});

describe('attack: the LFS check bypassed (metadata.json names another path or an s3:// URL)', () => {
  it('metadata.json naming another path than the changed model fails', async () => {
    const v = await evaluate(
      UNSIGNED,
      facts({
        metadata: { [META]: metadata({ model: { path: 'models/fraud/old.onnx' } }) },
        head_files: [blob(MODEL, DIGEST_D), blob(META, DIGEST_B), blob('models/fraud/old.onnx', DIGEST_A)],
      }),
    );
    expect(v.passed).toBe(false);
    expect(failedChecks(v)).toEqual([
      `${MODEL} changed, but ${META} describes models/fraud/old.onnx: the changed model has no lineage record (record its lineage in ${META})`,
    ]);
  });

  it('metadata.json naming an s3:// URL while a model in the commit changed fails', async () => {
    const v = await evaluate(UNSIGNED, facts({ metadata: { [META]: metadata({ model: { path: 's3://acme-models/fraud/model.onnx' } }) } }));
    expect(v.passed).toBe(false);
    expect(failedChecks(v)).toEqual([
      `${MODEL} changed, but ${META} describes s3://acme-models/fraud/model.onnx: the changed model has no lineage record (record its lineage in ${META})`,
    ]);
  });

  it('a model stored outside the repository, with only metadata.json changed, is not judged against the commit (said so)', async () => {
    const v = await evaluate(
      UNSIGNED,
      facts({
        changed_files: [META],
        artifacts: [],
        metadata: { [META]: metadata({ model: { path: 's3://acme-models/fraud/model.onnx' } }) },
        head_files: [blob(META, DIGEST_B)],
        reviews: [],
      }),
    );
    expect(failedChecks(v)).toEqual([]);
    expect(v.rules[0].checks.find((c) => c.name === `lineage ${META}`)?.reason).toBe(
      `the model s3://acme-models/fraud/model.onnx is stored outside the repository: its digest cannot be checked against the commit`,
    );
  });

  it('without head_files, the legacy LFS check no longer passes "not stored in Git LFS" when metadata names another path', async () => {
    const lfsPolicy = parsePolicy(`version: 1
protected_paths: ["models/**"]
roles: [{name: r, users: [alice]}]
signatures: {required: false}
checks: {lfs_digest: true}
`);
    const v = await evaluate(
      lfsPolicy,
      facts({ head_files: undefined, metadata: { [META]: metadata({ model: { path: 's3://bucket/m.onnx' } }) }, lfs_oids: { [MODEL]: DIGEST_D } }),
    );
    expect(v.passed).toBe(false);
    expect(failedChecks(v)).toEqual([
      `${MODEL} changed, but ${META} describes s3://bucket/m.onnx: the changed model has no lineage record (record its lineage in ${META})`,
    ]);
  });
});

describe('a hand-written facts file without head_files', () => {
  it('is evaluated on its artifacts as given, and the verdict says the digests were not computed from the commit', async () => {
    const v = await evaluate(SIGNED, approved(facts({ head_files: undefined })));
    expect(v.passed).toBe(true);
    expect(v.notes).toEqual([
      'digests not computed from the commit: these facts carry no head_files, so the artifacts and metadata.json were taken as given (the App always computes them; see docs/simulate.md)',
    ]);
  });
});
