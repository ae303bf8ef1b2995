import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GateError } from '../../src/core/errors.js';
import { sha256 } from '../../src/core/digest.js';
import { metadataJsonSchema } from '../../src/lineage/metadata-schema.js';
import { validateMetadata } from '../../src/lineage/metadata-validate.js';
import { readMetadataFile } from '../../src/lineage/metadata-io.js';
import type { LineageMetadata } from '../../src/lineage/metadata-types.js';
import { reproducibilityDigest, reproducibilityInput } from '../../src/lineage/reproducibility.js';
import { lineageStatement } from '../../src/lineage/statement.js';
import { tempDir } from './helpers.js';
import { sampleMetadata } from './sample-metadata.js';

function schemaError(value: unknown): GateError {
  try {
    validateMetadata(value, 'metadata.json');
  } catch (e) {
    expect(e).toBeInstanceOf(GateError);
    expect((e as GateError).code).toBe('E_SCHEMA');
    expect((e as GateError).exitCode).toBe(2);
    return e as GateError;
  }
  throw new Error('expected a schema error');
}

describe('metadata.json schema', () => {
  it('the committed schemas/metadata.schema.json is the schema the code validates with', () => {
    const committed = JSON.parse(readFileSync(join(process.cwd(), 'schemas', 'metadata.schema.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(metadataJsonSchema)));
  });

  it('accepts a well-formed record', () => {
    expect(validateMetadata(sampleMetadata())).toBeTruthy();
  });

  it.each([
    ['a malformed digest', (m: any) => (m.datasets[0].digest = 'sha256:XYZ'), 'metadata.json: /datasets/0/digest: must match pattern "^sha256:[0-9a-f]{64}$"'],
    ['an unknown role', (m: any) => (m.datasets[1].role = 'tuning'), 'metadata.json: /datasets/1/role: must be equal to one of the allowed values (training, validation, test)'],
    ['a missing model digest', (m: any) => delete m.model.digest, "metadata.json: /model: must have required property 'digest'"],
    ['an unknown field', (m: any) => (m.model.sha = 'x'), 'metadata.json: /model: must NOT have additional properties (sha)'],
    ['a negative size', (m: any) => (m.datasets[1].size = -1), 'metadata.json: /datasets/1/size: must be >= 0'],
    ['a bad created_at', (m: any) => (m.created_at = 'yesterday'), 'metadata.json: /created_at: must match format "date-time"'],
    ['another schema version', (m: any) => (m.schema = 'https://example.com/v9'), 'metadata.json: /schema: must be equal to constant'],
  ])('rejects %s, naming the field', (_what, mutate, expected) => {
    const m = sampleMetadata();
    mutate(m);
    expect(schemaError(m).describe()).toContain(expected);
  });

  it('reading a file: missing, not JSON, schema-invalid', async () => {
    const { dir, cleanup } = tempDir();
    try {
      await expect(readMetadataFile('nope.json', dir)).rejects.toMatchObject({ code: 'E_NOT_FOUND', where: 'nope.json' });
      writeFileSync(join(dir, 'broken.json'), '{"schema": ');
      await expect(readMetadataFile('broken.json', dir)).rejects.toMatchObject({ code: 'E_JSON', where: 'broken.json:1:12' });
      const m: any = sampleMetadata();
      m.datasets[0].digest = 'md5:1';
      writeFileSync(join(dir, 'bad.json'), JSON.stringify(m));
      await expect(readMetadataFile('bad.json', dir)).rejects.toThrow('/datasets/0/digest: must match pattern');
    } finally {
      cleanup();
    }
  });
});

describe('reproducibility digest', () => {
  it('covers datasets digests and roles, hyperparameters, environment (not node), source commit', () => {
    const m = sampleMetadata();
    expect(reproducibilityInput(m)).toEqual({
      datasets: [
        { role: 'training', digest: sha256('t') },
        { role: 'validation', digest: sha256('') },
      ],
      hyperparameters: { lr: 0.01, layers: [64, 32] },
      environment: {
        python: '3.11.7',
        lockfiles: [{ path: 'uv.lock', digest: sha256('lock') }],
        python_packages: [{ name: 'numpy', version: '2.0.0' }],
      },
      source_commit: 'a'.repeat(40),
    });
    expect(reproducibilityDigest(m)).toBe(m.reproducibility_digest);
  });

  it('ignores metrics, times, names, paths, node version, run id and dataset order', () => {
    const m = sampleMetadata();
    const n = structuredClone(m);
    n.metrics = { accuracy: 0.1 };
    n.created_at = '2030-01-01T00:00:00Z';
    n.datasets.reverse();
    n.datasets[0]!.name = 'renamed';
    n.datasets[0]!.path = 'elsewhere';
    n.environment.node = 'v99';
    n.source.run_id = '43';
    expect(reproducibilityDigest(n)).toBe(reproducibilityDigest(m));
  });

  it('ignores the recording machine and every source field but the commit', () => {
    const m = sampleMetadata();
    const n = structuredClone(m);
    n.environment.recording_machine = { python: '3.13.0', python_packages: [{ name: 'requests', version: '2.32.0' }] };
    Object.assign(n.source, {
      repository: 'https://git.example.com/x.git',
      branch: 'main',
      dirty: true,
      uncommitted: ['train.py'],
      uncommitted_count: 1,
      run_attempt: '2',
      run_url: 'https://github.com/acme/models/actions/runs/42',
      actor: 'alice',
      triggering_actor: 'bob',
    });
    expect(validateMetadata(JSON.parse(JSON.stringify(n)))).toBeTruthy();
    expect(reproducibilityDigest(n)).toBe(reproducibilityDigest(m));
  });

  it('an older record (environment.python and python_packages, then part of the digest) still validates and keeps its digest', () => {
    const m = sampleMetadata(); // written the older way
    expect(validateMetadata(JSON.parse(JSON.stringify(m)))).toBeTruthy();
    expect(reproducibilityDigest(m)).toBe(m.reproducibility_digest);
  });

  it('changes with a hyperparameter, a dataset byte, a lockfile or the commit', () => {
    const base = reproducibilityDigest(sampleMetadata());
    const edits: ((m: LineageMetadata) => void)[] = [
      (m) => (m.hyperparameters.lr = 0.02),
      (m) => (m.datasets[0]!.digest = sha256('u')),
      (m) => (m.datasets[0]!.role = 'test'),
      (m) => (m.environment.lockfiles[0]!.digest = sha256('lock2')),
      (m) => (m.environment.python_packages![0]!.version = '2.0.1'),
      (m) => (m.source.commit = 'b'.repeat(40)),
    ];
    for (const edit of edits) {
      const m = sampleMetadata();
      edit(m);
      expect(reproducibilityDigest(m)).not.toBe(base);
    }
  });
});

describe('in-toto statement', () => {
  it('has the model file as subject with its sha256 hex, and the metadata as predicate', () => {
    const m = sampleMetadata();
    const s = lineageStatement(m);
    expect(s._type).toBe('https://in-toto.io/Statement/v1');
    expect(s.subject).toEqual([{ name: 'models/m.bin', digest: { sha256: m.model.digest.slice(7) } }]);
    expect(s.predicateType).toMatch(/^https:\/\//);
    expect(s.predicate).toBe(m);
  });

  it('uses the in-toto dirHash name for a directory model', () => {
    const m = sampleMetadata();
    m.model = { path: 'models/saved', type: 'directory', digest: sha256(''), size: 0, files: [] };
    expect(lineageStatement(m).subject[0]!.digest).toEqual({ dirHash: sha256('').slice(7) });
  });
});
