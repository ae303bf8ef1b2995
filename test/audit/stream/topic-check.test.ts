// The topic as a copy of the log (pure): a faithful copy has no findings, and
// each way a copy can go wrong is named at its seq.
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRecord } from '../../../src/audit/record.js';
import { recordMessage, type TopicMessage } from '../../../src/audit/stream/cloudevent.js';
import { compareTopic } from '../../../src/audit/stream/topic-check.js';
import { writeFileLog } from '../../helpers/kafka.js';

const LOG = 'acme/fraud-model';
const dir = mkdtempSync(join(tmpdir(), 'mrg-topic-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const records = writeFileLog(dir, 12, LOG);
const stored = new Map(records.map((b, i) => [i, b] as [number, Uint8Array]));

function message(bytes: Buffer, offset: number): TopicMessage {
  const p = parseRecord(bytes);
  if (!p.ok) throw new Error(p.reason);
  const m = recordMessage(bytes, p.record, '.audit');
  return { offset: String(offset), key: Buffer.from(m.key), value: m.value, headers: Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, Buffer.from(v)])) };
}
const copy = (seqs: number[]): TopicMessage[] => seqs.map((s, i) => message(records[s], i));
const check = (msgs: TopicMessage[]): Array<[string, number]> => compareTopic('kafka://b/t', LOG, msgs, stored, 12).map((f) => [f.kind, f.seq]);
const all = [...Array(12).keys()];

describe('the Kafka topic compared with the store (pure)', () => {
  it('a faithful copy has no findings', () => {
    expect(check(copy(all))).toEqual([]);
  });

  it('a record missing from the topic is `missing` at its seq; a topic behind the store lacks its last records', () => {
    expect(check(copy(all.filter((s) => s !== 4)))).toEqual([['missing', 4]]);
    expect(check(copy(all.slice(0, 10)))).toEqual([['missing', 10], ['missing', 11]]);
  });

  it('a reordered pair is `misplaced` at the record that comes late', () => {
    expect(check(copy([0, 1, 2, 3, 4, 6, 5, 7, 8, 9, 10, 11]))).toEqual([['misplaced', 5]]);
  });

  it('a record twice is `duplicate`; a record the store does not have is `store-mismatch`', () => {
    expect(check(copy([...all.slice(0, 8), 7, ...all.slice(8)]))).toEqual([['duplicate', 7]]);
    const extra = writeFileLog(join(dir, 'more'), 13, LOG)[12];
    expect(check([...copy(all), message(extra, 12)])).toEqual([['store-mismatch', 12]]);
  });

  it('altered bytes are `store-mismatch`, even when the message states a matching digest', () => {
    const m = copy(all);
    m[3] = { ...m[3], value: Buffer.from(m[3].value!.toString('utf8').replace('event 3', 'event 8')) };
    const f = compareTopic('kafka://b/t', LOG, m, stored, 12);
    expect(f.map((x) => [x.kind, x.seq])).toEqual([['store-mismatch', 3]]);
    expect(f[0].message).toMatch(/record 3 differs: the store has sha256:[0-9a-f]{64}, the topic \(offset 3\) has sha256:/);
    expect(f[0].store).toBe('kafka://b/t');
  });

  it('any one deletion, swap or duplication is found at the seq it concerns (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 }), fc.constantFrom('drop', 'swap', 'dup'), (s, how) => {
        const seqs = [...all];
        if (how === 'drop') seqs.splice(s, 1);
        if (how === 'swap') [seqs[s], seqs[s + 1]] = [seqs[s + 1], seqs[s]];
        if (how === 'dup') seqs.splice(s + 1, 0, s);
        const expected = how === 'drop' ? ['missing', s] : how === 'swap' ? ['misplaced', s] : ['duplicate', s];
        expect(check(copy(seqs))).toEqual([expected]);
      }),
    );
  });
});
