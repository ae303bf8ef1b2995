import fc from 'fast-check';
import { relative, sep } from 'node:path';
import { findOutputClash, isSameOrInside } from '../../src/lineage/output-guard.js';

const segment = fc.constantFrom('a', 'b', '..a', 'a..', '.x', 'train', 'train-x', '..md.json');
const absPath = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => sep + s.join(sep));

describe('output guard: paths compared by whole segments', () => {
  it('"..md.json" inside a directory is inside it (the startsWith("..") check let it through)', () => {
    expect(isSameOrInside('/w/data/train/..md.json', '/w/data/train')).toBe(true);
    expect(isSameOrInside('/w/data/train-x', '/w/data/train')).toBe(false);
    expect(isSameOrInside('/w/data/train', '/w/data/train')).toBe(true);
    expect(isSameOrInside('/w/data', '/w/data/train')).toBe(false);
  });

  it('agrees with path.relative read segment by segment, on generated paths', () => {
    fc.assert(
      fc.property(absPath, absPath, (p, d) => {
        const rel = relative(d, p);
        const inside = rel === '' || rel.split(sep)[0] !== '..';
        expect(isSameOrInside(p, d)).toBe(inside);
      }),
      { numRuns: 500 },
    );
  });

  it('finds an output equal to an input, inside an input, or equal to another output', () => {
    expect(findOutputClash(['/w/m.bin'], ['/w/m.bin'])).toEqual({ kind: 'input', output: 0, input: 0, inside: false });
    expect(findOutputClash(['/w/d/x.json'], ['/w/m.bin', '/w/d'])).toEqual({ kind: 'input', output: 0, input: 1, inside: true });
    expect(findOutputClash(['/w/a.json', '/w/a.json'], ['/w/m.bin'])).toEqual({ kind: 'outputs', first: 0, second: 1 });
    expect(findOutputClash(['/w/a.json', '/w/b.json'], ['/w/m.bin', '/w/d'])).toBeUndefined();
  });
});
