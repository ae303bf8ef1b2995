import fc from 'fast-check';
import { isUtf8 } from 'node:buffer';
import { canonicalJson } from '../../src/core/canonical-json.js';
import { scanCanonical } from '../../src/audit/canonical-scan.js';

/** The reference: the text is valid JSON and the RFC 8785 library writes exactly it back. */
function isJcs(text: string): boolean {
  try {
    return canonicalJson(JSON.parse(text)) === text;
  } catch {
    return false;
  }
}

/** What the scan answers for text that the verifier would hand it (valid JSON in valid UTF-8), or 'skip'. */
function scan(text: string): boolean | undefined | 'skip' {
  const bytes = Buffer.from(text, 'utf8');
  try {
    JSON.parse(text);
  } catch {
    return 'skip';
  }
  return isUtf8(bytes) ? scanCanonical(bytes) : 'skip';
}

/** The scan may leave text undecided, but never disagree with the library. */
function agrees(text: string): void {
  const got = scan(text);
  if (got === 'skip' || got === undefined) return;
  expect({ text, canonical: got }).toEqual({ text, canonical: isJcs(text) });
}

const asciiKeys = { stringUnit: 'grapheme-ascii' } as const;
const anyUnicode = { stringUnit: 'binary' } as const;

/** Snippets that make a canonical text non-canonical (or keep it canonical) when inserted at some position. */
const SNIPPETS = [
  ' ', '\n', '\t', '\r', '\\/', '\\u0041', '\\u001F', '\\u001f', '\\u000a', '\\u000A', '\\u0008', '\\u007f', '\\b',
  '.0', '0', 'e0', 'e2', 'E+1', '-', '"a":1,', '"z":1,', '"":0,', '\\ud800', '\\uD800', '\\ud83d\\ude00', '\\u00e9',
  'é', '\u2028', '1', '9', ',0', ',"a"', '0.5',
];

describe('the one-pass canonical check agrees with the RFC 8785 library', () => {
  it('calls the library\'s own output canonical, and decides it itself when keys are plain ASCII', () => {
    let decided = 0;
    fc.assert(
      fc.property(fc.jsonValue(asciiKeys), (value) => {
        const got = scan(canonicalJson(value));
        expect(got === true || got === undefined).toBe(true);
        if (got === true) decided++;
      }),
      { numRuns: 500 },
    );
    // Keys holding `"` or `\` are escaped, and left to the full comparison; the rest must be decided.
    expect(decided).toBeGreaterThan(250);
    fc.assert(fc.property(fc.jsonValue(anyUnicode), (value) => agrees(canonicalJson(value))), { numRuns: 500 });
  });

  it('never calls a non-canonical serialisation canonical: reordered keys, whitespace, JSON.stringify of any value', () => {
    fc.assert(
      fc.property(fc.jsonValue(anyUnicode), fc.integer({ min: 0, max: 2 }), (value, indent) => {
        const reversed = JSON.parse(JSON.stringify(value), (_k, v) =>
          v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
        );
        agrees(JSON.stringify(reversed, null, indent));
        agrees(JSON.stringify(value, null, indent));
      }),
      { numRuns: 500 },
    );
  });

  it('agrees on canonical text with a snippet inserted anywhere: escapes written differently, numbers like 1.0 and 1e2, duplicate keys', () => {
    let decided = 0;
    fc.assert(
      fc.property(fc.jsonValue(asciiKeys), fc.nat(), fc.constantFrom(...SNIPPETS), (value, at, snippet) => {
        const text = canonicalJson(value);
        const p = at % (text.length + 1);
        const mutated = text.slice(0, p) + snippet + text.slice(p);
        const got = scan(mutated);
        if (got === true || got === false) decided++;
        agrees(mutated);
      }),
      { numRuns: 3000 },
    );
    // The property has teeth only if the scan decides many of the variants itself.
    expect(decided).toBeGreaterThan(300);
  });

  it('decides the classic non-canonical forms', () => {
    const cases: Array<[string, boolean]> = [
      ['{"a":1,"b":2}', true],
      ['{"b":2,"a":1}', false],
      ['{"a":1,"a":1}', false],
      ['{"a":1, "b":2}', false],
      ['{"a":1.0}', false],
      ['{"a":1e2}', false],
      ['{"a":100}', true],
      ['{"a":-0}', false],
      ['{"a":0}', true],
      ['{"a":-0.5}', true],
      ['{"a":1e21}', false],
      ['{"a":1e+21}', true],
      ['{"a":1E21}', false],
      ['{"a":1e999}', false],
      ['{"a":123456789012345678}', false],
      ['{"a":123456789012345680}', true],
      ['["\\u00e9"]', false],
      ['["é"]', true],
      ['["\\/"]', false],
      ['["\\u001f"]', true],
      ['["\\u001F"]', false],
      ['["\\u000a"]', false],
      ['["\\n"]', true],
      ['["\\u007f"]', false],
      ['{"B":1,"a":2}', true],
      ['{"a":1,"B":2}', false],
      ['{"10":1,"9":2}', true],
      ['{"9":2,"10":1}', false],
      ['{"a":{"b":1,"a":2}}', false],
      ['[{"b":1},{"a":2}]', true],
      ['{"ab":1,"a":2}', false],
      ['{"a":1,"ab":2}', true],
    ];
    for (const [text, want] of cases) {
      expect({ text, reference: isJcs(text) }).toEqual({ text, reference: want });
      expect({ text, scan: scan(text) }).toEqual({ text, scan: want });
    }
  });

  it('leaves to the full comparison what needs decoded text (escaped or non-ASCII keys, surrogate escapes)', () => {
    for (const text of ['{"é":1,"z":2}', '{"a\\n":1,"b":2}', '["\\ud800"]', '["\\uD83D\\uDE00"]']) {
      expect({ text, scan: scan(text) }).toEqual({ text, scan: undefined });
    }
  });
});
