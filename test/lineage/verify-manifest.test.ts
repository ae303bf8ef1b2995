import { sha256 } from '../../src/core/digest.js';
import { dirHash1 } from '../../src/core/dir-hash.js';
import { diffLineage } from '../../src/lineage/diff.js';
import { validateMetadata } from '../../src/lineage/metadata-validate.js';
import { reproducibilityDigest } from '../../src/lineage/reproducibility.js';
import { compareLineage } from '../../src/lineage/verify-compare.js';
import { sampleMetadata } from './sample-metadata.js';

// Issue 11 item 13: a directory artifact recorded without `files` is schema-valid.
describe('a directory recorded without its manifest', () => {
  const files = [
    { path: 'a.csv', size: 1, digest: sha256('a') },
    { path: 'b.csv', size: 1, digest: sha256('b') },
  ];
  const noManifest = () => {
    const m = sampleMetadata();
    m.datasets[1] = { name: 'val', role: 'validation', path: 'data/val', type: 'directory', digest: dirHash1(files), size: 2 };
    m.reproducibility_digest = reproducibilityDigest(m);
    return validateMetadata(JSON.parse(JSON.stringify(m)));
  };
  const observe = (m: ReturnType<typeof sampleMetadata>, val: { digest: string; files: typeof files }) => ({
    model: { type: 'file' as const, digest: m.model.digest },
    datasets: [{ type: 'file' as const, digest: m.datasets[0]!.digest }, { type: 'directory' as const, ...val } as never],
  });

  it('matching bytes verify: no file is reported "added"', () => {
    const m = noManifest();
    expect(compareLineage(m, observe(m, { digest: dirHash1(files), files }))).toEqual({ ok: true, mismatches: [] });
  });

  it('changed bytes: one "modified" for the directory saying the manifest is missing, not every file "added"', () => {
    const m = noManifest();
    const changed = [files[0]!, { ...files[1]!, digest: sha256('B') }];
    const r = compareLineage(m, observe(m, { digest: dirHash1(changed), files: changed }));
    expect(r.ok).toBe(false);
    expect(r.mismatches).toEqual([
      {
        subject: 'dataset',
        name: 'val',
        role: 'validation',
        path: 'data/val',
        change: 'modified',
        expected: dirHash1(files),
        actual: dirHash1(changed),
        detail: 'metadata.json has no manifest (files) for this directory: the files that differ cannot be named',
      },
    ]);
  });

  it('diff against a record with the manifest: one change for the manifest, not every file added', () => {
    const a = noManifest();
    const b = structuredClone(a);
    b.datasets[1]!.files = files;
    const changes = diffLineage(a, b).changes;
    expect(changes).toEqual([{ field: '/datasets/validation:val/files', change: 'added', b: '2 files' }]);
  });
});
