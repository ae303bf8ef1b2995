import fc from 'fast-check';
import { canonicalJson } from '../../src/core/canonical-json.js';
import { GateError } from '../../src/core/errors.js';

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], é: 2, Z: 3 })).toBe(
      '{"Z":3,"a":[true,null,"x"],"b":1,"é":2}',
    );
  });

  it('writes numbers as ECMAScript does (RFC 8785 §3.2.2.3 examples)', () => {
    expect(canonicalJson([1e21, 1e-7, 0.000001, -0, 333333333.33333329])).toBe(
      '[1e+21,1e-7,0.000001,0,333333333.3333333]',
    );
  });

  it('refuses non-finite numbers, naming the field', () => {
    expect(() => canonicalJson({ metrics: { loss: Number.NaN } })).toThrow(GateError);
    expect(() => canonicalJson({ metrics: { loss: Number.NaN } })).toThrow(/NaN/);
  });

  it('is independent of key insertion order and parses back to the same value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        const reparsed = JSON.parse(text);
        expect(canonicalJson(reparsed)).toBe(text);
        const shuffled = JSON.parse(JSON.stringify(value), (_k, v) =>
          v && typeof v === 'object' && !Array.isArray(v)
            ? Object.fromEntries(Object.entries(v).reverse())
            : v,
        );
        expect(canonicalJson(shuffled)).toBe(text);
      }),
    );
  });
});
