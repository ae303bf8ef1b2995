import fc from 'fast-check';
import { GateError } from '../../src/core/errors.js';
import { canonicalJson } from '../../src/core/canonical-json.js';
import { ZERO_DIGEST } from '../../src/core/digest.js';
import { MAX_RECORD_BYTES, checkRecordInput, encodeRecord, parseRecord, type AuditRecord } from '../../src/audit/record.js';

const base: AuditRecord = {
  v: 1, log: 'org/repo', seq: 0, prev: ZERO_DIGEST, time: '2026-01-01T00:00:00.000Z',
  event_type: 'model.release', component: 'cli', actor: 'alice', action: 'released',
  subject: [], details: { b: 1, a: [true] }, compliance_tags: [],
};

describe('audit record', () => {
  it('is stored as RFC 8785 canonical JSON and parses back', () => {
    const bytes = encodeRecord(base);
    expect(bytes.toString()).toBe(
      '{"action":"released","actor":"alice","compliance_tags":[],"component":"cli","details":{"a":[true],"b":1},"event_type":"model.release","log":"org/repo","prev":"sha256:0000000000000000000000000000000000000000000000000000000000000000","seq":0,"subject":[],"time":"2026-01-01T00:00:00.000Z","v":1}',
    );
    expect(parseRecord(bytes)).toEqual({ ok: true, record: base });
  });

  it('accepts what the writer encodes for any JSON details (the fast canonical check agrees with RFC 8785)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string({ minLength: 1 }), (details, actor) => {
        const rec = { ...base, details, actor } as AuditRecord;
        expect(parseRecord(encodeRecord(rec))).toEqual({ ok: true, record: JSON.parse(JSON.stringify(rec)) });
      }),
      { numRuns: 300 },
    );
  });

  it('rejects any other serialisation of the same record (key order, whitespace, escapes)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.boolean(), (details, indent) => {
        const rec = { ...base, details } as AuditRecord;
        const reversed = JSON.parse(JSON.stringify(rec), (_k, v) =>
          v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
        );
        const text = JSON.stringify(reversed, null, indent ? 1 : 0);
        const canonical = encodeRecord(rec).toString();
        expect(parseRecord(Buffer.from(text)).ok).toBe(text === canonical);
      }),
      { numRuns: 300 },
    );
    // Integer-like keys: JavaScript reorders them, JCS sorts them as strings.
    const numeric = encodeRecord({ ...base, details: { '10': 1, '9': 2, a: { '2': 0, '11': 0 } } });
    expect(numeric.toString()).toContain('{"10":1,"9":2,"a":{"11":0,"2":0}}');
    expect(parseRecord(numeric).ok).toBe(true);
    expect(parseRecord(Buffer.from(numeric.toString().replace('{"10":1,"9":2', '{"9":2,"10":1'))).ok).toBe(false);
  });

  it('rejects invalid UTF-8 even where the decoded text would look canonical', () => {
    const bytes = Buffer.from(encodeRecord({ ...base, actor: '\uFFFD' }));
    const at = bytes.indexOf(Buffer.from('\uFFFD'));
    const forged = Buffer.concat([bytes.subarray(0, at), Buffer.from([0xf0, 0x90, 0x80]), bytes.subarray(at + 3)]);
    expect(parseRecord(forged)).toEqual({ ok: false, reason: expect.stringMatching(/canonical/) });
  });

  it('refuses a record of 64 KiB or more with E_RECORD_TOO_LARGE', () => {
    const big = { ...base, details: { blob: 'x'.repeat(MAX_RECORD_BYTES) } };
    expect(() => encodeRecord(big)).toThrow(expect.objectContaining({ code: 'E_RECORD_TOO_LARGE' }));
  });

  it('rejects bytes that are valid JSON but not canonical, or not a record', () => {
    const spaced = Buffer.from(JSON.stringify(base, null, 1));
    expect(parseRecord(spaced)).toEqual({ ok: false, reason: expect.stringMatching(/canonical/) });
    expect(parseRecord(encodeRecord(base).subarray(1))).toEqual({ ok: false, reason: expect.stringMatching(/not JSON/) });
    const extra = Buffer.from(JSON.stringify({ ...base, x: 1 }));
    expect(parseRecord(extra)).toEqual({ ok: false, reason: expect.stringMatching(/unknown field "x"/) });
    const badPrev = Buffer.from(JSON.stringify({ ...base, prev: 'sha256:00' }));
    expect(parseRecord(badPrev)).toEqual({ ok: false, reason: 'prev is not a sha256 digest' });
  });

  it('checks a writer\'s input, naming the field', () => {
    const input = { event_type: 'e', component: 'c', actor: 'a', action: 'x' };
    expect(() => checkRecordInput({ ...input, actor: '' })).toThrow(expect.objectContaining({ where: 'actor' }));
    expect(() => checkRecordInput({ ...input, subject: ['sha1:abc'] })).toThrow(expect.objectContaining({ where: 'subject[0]' }));
    expect(() => checkRecordInput({ ...input, details: [1] })).toThrow(GateError);
    expect(() => checkRecordInput({ ...input, log: '../x' })).toThrow(expect.objectContaining({ where: 'log' }));
  });
});

describe('the published JSON Schema (schemas/audit-record.schema.json)', () => {
  it('agrees with the typed parser on valid records and on each kind of invalid field', async () => {
    const { readFileSync } = await import('node:fs');
    const { fileURLToPath } = await import('node:url');
    const { Ajv2020 } = await import('ajv/dist/2020.js');
    const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../../../schemas/audit-record.schema.json', import.meta.url)), 'utf8'));
    const validate = new Ajv2020({ strict: true }).compile(schema);
    const cases: unknown[] = [
      base,
      { ...base, subject: [`sha256:${'f'.repeat(64)}`], compliance_tags: ['SOX'] },
      { ...base, v: 2 },
      { ...base, seq: -1 },
      { ...base, seq: 1.5 },
      { ...base, prev: 'sha256:abc' },
      { ...base, time: '2026-01-01 00:00:00' },
      { ...base, actor: '' },
      { ...base, subject: ['x'] },
      { ...base, details: [] },
      { ...base, compliance_tags: [''] },
      { ...base, log: '/abs' },
      { ...base, extra: 1 },
      (({ details: _d, ...rest }) => rest)(base),
    ];
    for (const c of cases) {
      const parsed = parseRecord(Buffer.from(canonicalJson(c)));
      expect({ c, schema: validate(c) }).toEqual({ c, schema: parsed.ok });
    }
  });
});
