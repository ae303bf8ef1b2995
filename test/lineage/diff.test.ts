import { sha256 } from '../../src/core/digest.js';
import { diffLineage } from '../../src/lineage/diff.js';
import { sampleMetadata } from './sample-metadata.js';

describe('diffLineage (pure)', () => {
  it('finds nothing between a record and itself, created_at aside', () => {
    const a = sampleMetadata();
    const b = sampleMetadata();
    b.created_at = '2031-01-01T00:00:00.000Z';
    expect(diffLineage(a, b)).toEqual({ same: true, changes: [] });
  });

  it('lists model, dataset, file, hyperparameter, metric and environment changes', () => {
    const a = sampleMetadata();
    a.datasets[1]!.files = [{ path: 'x/a.csv', size: 1, digest: sha256('a') }, { path: 'gone', size: 1, digest: sha256('g') }];
    const b = structuredClone(a);
    b.model.digest = sha256('model2');
    b.datasets[1]!.files = [{ path: 'x/a.csv', size: 1, digest: sha256('A') }, { path: 'new', size: 1, digest: sha256('n') }];
    b.datasets.push({ name: 'holdout', role: 'test', path: 'h.csv', type: 'file', digest: sha256('h'), size: 1 });
    b.hyperparameters = { lr: 0.02, layers: [64, 32], optimizer: { name: 'adam' } };
    b.metrics = { accuracy: 0.95 };
    b.environment.lockfiles = [];
    b.environment.python_packages = [{ name: 'numpy', version: '2.1.0' }];
    const d = diffLineage(a, b);
    expect(d.same).toBe(false);
    const byField = Object.fromEntries(d.changes.map((c) => [c.field, c]));
    expect(byField['/model/digest']).toEqual({ field: '/model/digest', change: 'changed', a: sha256('model'), b: sha256('model2') });
    expect(byField['/datasets/validation:val/files/x~1a.csv']).toEqual({
      field: '/datasets/validation:val/files/x~1a.csv',
      change: 'changed',
      a: sha256('a'),
      b: sha256('A'),
    });
    expect(byField['/datasets/validation:val/files/gone']!.change).toBe('removed');
    expect(byField['/datasets/validation:val/files/new']!.change).toBe('added');
    expect(byField['/datasets/test:holdout']!.change).toBe('added');
    expect(byField['/hyperparameters/lr']).toMatchObject({ change: 'changed', a: 0.01, b: 0.02 });
    expect(byField['/hyperparameters/optimizer']).toMatchObject({ change: 'added', b: { name: 'adam' } });
    expect(byField['/hyperparameters/layers']).toBeUndefined();
    expect(byField['/metrics/accuracy']).toMatchObject({ a: 0.93, b: 0.95 });
    expect(byField['/environment/lockfiles/uv.lock']).toMatchObject({ change: 'removed' });
    expect(byField['/environment/python_packages/numpy']).toMatchObject({ a: '2.0.0', b: '2.1.0' });
    expect(byField['/reproducibility_digest']).toBeUndefined(); // not recomputed: both carry the same recorded value
  });

  it('lists source and recording-machine changes', () => {
    const a = sampleMetadata();
    const b = structuredClone(a);
    Object.assign(b.source, { branch: 'main', dirty: true, triggering_actor: 'bob' });
    b.environment.recording_machine = { python: '3.12.1' };
    const byField = Object.fromEntries(diffLineage(a, b).changes.map((c) => [c.field, c]));
    expect(byField['/source/branch']).toMatchObject({ change: 'added', b: 'main' });
    expect(byField['/source/dirty']).toMatchObject({ change: 'added', b: true });
    expect(byField['/source/triggering_actor']).toMatchObject({ change: 'added', b: 'bob' });
    expect(byField['/environment/recording_machine/python']).toMatchObject({ change: 'added', b: '3.12.1' });
  });
});
