import { GateError } from '../../src/core/errors.js';
import { sha256 } from '../../src/core/digest.js';
import { factsFromMetadata, releaseChangeRequest } from '../../src/deploy/release-change.js';

const MODEL = sha256('model');
const DATA = sha256('data');

describe('releaseChangeRequest', () => {
  it('names every digest, approver and link in the description', () => {
    const r = releaseChangeRequest({
      short_description: 'Release',
      model: { path: 'm.onnx', digest: MODEL },
      metadata: { path: 'metadata.json', digest: DATA },
      datasets: [{ name: 'train', role: 'training', digest: DATA }],
      reproducibility_digest: MODEL,
      approvers: ['alice (risk)'],
      repository: 'acme/models',
      commit: 'c'.repeat(40),
      pull_request_url: 'https://github.com/acme/models/pull/1',
      run_url: 'https://github.com/acme/models/actions/runs/2',
    });
    expect(r.description?.split('\n')).toEqual([
      'Model release recorded by model-release-gate.',
      '',
      `Model: m.onnx ${MODEL}`,
      `Lineage (metadata.json): metadata.json ${DATA}`,
      `Reproducibility digest: ${MODEL}`,
      'Datasets:',
      `  - train (training): ${DATA}`,
      'Approvers: alice (risk)',
      `Repository: acme/models @ ${'c'.repeat(40)}`,
      'Pull request: https://github.com/acme/models/pull/1',
      'Workflow run: https://github.com/acme/models/actions/runs/2',
    ]);
    expect(r.justification).toBe(
      `Release of model ${MODEL} approved in review by alice (risk) in https://github.com/acme/models/pull/1; lineage recorded in metadata.json ${DATA}.`,
    );
    expect(r.implementation_plan).toContain(MODEL);
  });

  it('works with nothing but a short description', () => {
    const r = releaseChangeRequest({ short_description: 'Release' });
    expect(r).toMatchObject({ short_description: 'Release', justification: 'Model release.' });
    expect(r.implementation_plan).toBeUndefined();
  });
});

describe('factsFromMetadata', () => {
  const bytes = (o: unknown): Uint8Array => Buffer.from(JSON.stringify(o));

  it('takes the model, datasets, source and the file digest', () => {
    const b = bytes({
      model: { path: 'm.onnx', digest: MODEL },
      datasets: [{ path: 'data/t.csv', role: 'test', digest: DATA }],
      source: { repository: 'acme/models', commit: 'abc' },
      reproducibility_digest: MODEL,
    });
    expect(factsFromMetadata(b, 'metadata.json')).toEqual({
      metadata: { path: 'metadata.json', digest: sha256(b) },
      model: { path: 'm.onnx', digest: MODEL },
      datasets: [{ name: 'data/t.csv', role: 'test', digest: DATA }],
      repository: 'acme/models',
      commit: 'abc',
      reproducibility_digest: MODEL,
    });
  });

  it.each([
    ['not JSON', Buffer.from('{'), 'E_JSON', 'metadata.json'],
    ['an array', bytes([]), 'E_SCHEMA', 'metadata.json'],
    ['a bad model digest', bytes({ model: { digest: 'md5:x' } }), 'E_SCHEMA', 'metadata.json: model.digest'],
    ['datasets not a list', bytes({ datasets: {} }), 'E_SCHEMA', 'metadata.json: datasets'],
    ['a bad dataset digest', bytes({ datasets: [{ name: 'a', digest: DATA }, { name: 'b' }] }), 'E_SCHEMA', 'metadata.json: datasets[1].digest'],
  ])('refuses %s, naming where', (_what, b, code, where) => {
    try {
      factsFromMetadata(b, 'metadata.json');
      throw new Error('expected an error');
    } catch (e) {
      expect(e).toBeInstanceOf(GateError);
      expect((e as GateError).code).toBe(code);
      expect((e as GateError).where).toBe(where);
    }
  });
});
