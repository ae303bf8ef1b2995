// The message format: a record as a CloudEvents 1.0 binary-mode Kafka message
// whose value is the stored bytes, and back. Pure; no broker.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { ZERO_DIGEST } from '../../../src/core/digest.js';
import { encodeRecord, parseRecord, RECORD_VERSION, type AuditRecord } from '../../../src/audit/record.js';
import {
  HEADER,
  ceString,
  parseMessage,
  recordMessage,
  sourceAttribute,
  type StreamMessage,
  type TopicMessage,
} from '../../../src/audit/stream/cloudevent.js';

const hex = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function record(seq: number, eventType = 'MODEL_RELEASE', log = 'acme/fraud-model'): { bytes: Buffer; rec: AuditRecord } {
  const rec: AuditRecord = {
    v: RECORD_VERSION, log, seq, prev: seq === 0 ? ZERO_DIGEST : (`sha256:${'ab'.repeat(32)}` as AuditRecord['prev']),
    time: '2026-12-01T08:00:00.000Z', event_type: eventType, component: 'cli', actor: 'alice', action: 'release',
    subject: [], details: { n: seq }, compliance_tags: ['SOX'],
  };
  return { bytes: encodeRecord(rec), rec };
}

/** What a consumer reads back: header values arrive as bytes. */
function asRead(m: StreamMessage, offset = '0'): TopicMessage {
  return {
    offset,
    key: Buffer.from(m.key),
    value: m.value,
    headers: Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, Buffer.from(v, 'utf8')])),
  };
}

describe('CloudEvents message of an audit record (Kafka binding, binary mode)', () => {
  it('carries the stored bytes unchanged as the value, with id <log>/<seq> and the required attributes', () => {
    const { bytes, rec } = record(7);
    const m = recordMessage(bytes, rec, 's3://acme-audit/models?region=eu-west-1');
    expect(m.value.equals(bytes)).toBe(true);
    expect(m.key).toBe('acme/fraud-model');
    expect(m.headers).toEqual({
      ce_specversion: '1.0',
      ce_id: 'acme/fraud-model/7',
      ce_source: 's3://acme-audit/models?region=eu-west-1',
      ce_type: 'MODEL_RELEASE',
      ce_time: '2026-12-01T08:00:00.000Z',
      ce_sequence: '00000000000000000007',
      ce_prev: rec.prev,
      ce_digest: hex(bytes),
      ce_partitionkey: 'acme/fraud-model',
      'content-type': 'application/json',
    });
  });

  it('uses only attribute names CloudEvents allows: lower-case ASCII letters and digits, at most 20 characters', () => {
    const { bytes, rec } = record(0);
    for (const name of Object.keys(recordMessage(bytes, rec, '.audit').headers)) {
      if (name === HEADER.contentType) continue;
      expect(name.startsWith('ce_')).toBe(true);
      expect(name.slice(3)).toMatch(/^[a-z0-9]{1,20}$/);
    }
  });

  it('ce_sequence sorts as the seq does (lexicographic order = numeric order)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 2 ** 40 }), (a, b) => {
        const sa = recordMessage(record(a).bytes, record(a).rec, 'x').headers.ce_sequence;
        const sb = recordMessage(record(b).bytes, record(b).rec, 'x').headers.ce_sequence;
        expect(sa === sb).toBe(a === b);
        expect(sa < sb).toBe(a < b);
      }),
    );
  });

  it('reads back what it wrote: log, seq, digest = SHA-256 of the value, and the record itself', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._\/-]{0,30}$/), (seq, log) => {
        const { bytes, rec } = record(seq, 'MODEL_RELEASE', log);
        const p = parseMessage(asRead(recordMessage(bytes, rec, '.audit')));
        expect(p.ok).toBe(true);
        if (!p.ok) return;
        expect([p.log, p.seq, p.digest, p.statedDigest]).toEqual([log, seq, hex(bytes), hex(bytes)]);
        expect(p.record).toEqual(parseRecord(bytes).ok ? rec : null);
      }),
    );
  });

  it('an event_type with control characters becomes a valid CloudEvents String in ce_type; the value keeps the exact text', () => {
    const { bytes, rec } = record(1, 'MODEL\nRELEASE\u0000\u0085');
    const m = recordMessage(bytes, rec, '.audit');
    expect(m.headers.ce_type).toBe('MODEL%0ARELEASE%00%85');
    expect(JSON.parse(m.value.toString('utf8')).event_type).toBe('MODEL\nRELEASE\u0000\u0085');
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(ceString(s)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
      }),
    );
  });

  it('never puts user information of the store URL into ce_source', () => {
    expect(sourceAttribute('s3://AKIAEXAMPLE:secret@bucket/prefix?region=eu-west-1')).toBe('s3://bucket/prefix?region=eu-west-1');
    expect(sourceAttribute('file:///var/audit')).toBe('file:///var/audit');
    expect(sourceAttribute('.audit')).toBe('.audit');
  });

  it('refuses a message whose id, sequence or prev attributes disagree, naming what', () => {
    const { bytes, rec } = record(3);
    const good = asRead(recordMessage(bytes, rec, '.audit'));
    const bad = (h: Record<string, string | undefined>): string => {
      const p = parseMessage({ ...good, headers: { ...good.headers, ...h } });
      return p.ok ? 'ok' : p.reason;
    };
    expect(bad({ ce_sequence: '00000000000000000004' })).toMatch(/ce_sequence .* disagrees with ce_id/);
    expect(bad({ ce_id: 'acme/fraud-model/x' })).toMatch(/ce_id is not <log>\/<seq>/);
    expect(bad({ ce_specversion: undefined })).toMatch(/not a CloudEvents 1.0 message/);
    expect(bad({ ce_prev: 'nope' })).toMatch(/ce_prev is not a sha256 digest/);
    const p = parseMessage({ ...good, value: Buffer.concat([bytes, Buffer.from(' ')]) });
    expect(p.ok && p.digest !== p.statedDigest).toBe(true);
  });
});
