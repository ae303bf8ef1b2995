/**
 * Item 7: `--details` was silently altered: invalid UTF-8 became U+FFFD,
 * 12345678901234567890 became 12345678901234567000, a duplicate key kept the
 * last value, and a lone surrogate (which RFC 8785 and I-JSON forbid) was
 * written and then verified. Each is now refused with exit 2 and the reason,
 * and the verifier reports a stored lone surrogate as `unparseable`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendRecord } from '../../src/audit/append.js';
import { encodeRecord, parseRecord, recordDigest, RECORD_VERSION } from '../../src/audit/record.js';
import { entryKey } from '../../src/audit/store.js';
import { FileStore } from '../../src/audit/stores/file-store.js';
import { cli } from './cli-harness.js';
import { tempDirs } from './temp-dir.js';

const tmp = tempDirs();

async function appendDetails(details: string | Buffer): Promise<{ code: number; stderr: string; dir: string }> {
  const dir = tmp();
  writeFileSync(join(dir, 'd.json'), details);
  const r = await cli(dir, ['audit', 'append', '--store', 'log', '--event-type', 'x', '--actor', 'a', '--action', 'x', '--details', '@d.json']);
  return { code: r.code, stderr: r.stderr, dir };
}

describe('--details that JSON.parse would silently alter are refused (exit 2), nothing written', () => {
  const cases: Array<[string, string | Buffer, RegExp]> = [
    ['invalid UTF-8', Buffer.concat([Buffer.from('{"name":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]), /d\.json:1: details are not valid UTF-8 \(byte 12\)/],
    ['an integer beyond 2^53', '{"id": 12345678901234567890}', /d\.json:1:8: the number 12345678901234567890 is beyond 2\^53 - 1 and would be stored as 12345678901234567000/],
    ['2^53 + 1', '{"id": 9007199254740993}', /d\.json:1:8: the number 9007199254740993 is beyond 2\^53 - 1/],
    ['a duplicate key', '{"a": 1,\n "a": 2}', /d\.json:2:2: duplicate key "a" \(JSON\.parse would keep the last value\)/],
    ['a duplicate key spelled with an escape', '{"b": {"a": 1, "\\u0061": 2}}', /d\.json:1:16: duplicate key "a"/],
    ['a lone surrogate in a value', '{"a": "\\ud800"}', /d\.json:1:7: a string holds a lone surrogate \(U\+D800\)/],
    ['a lone low surrogate in a key', '{"\\udc00x": 1}', /d\.json:1:2: a key holds a lone surrogate \(U\+DC00\)/],
  ];
  it.each(cases)('%s', async (_what, text, reason) => {
    const r = await appendDetails(text);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(reason);
    expect(existsSync(join(r.dir, 'log', 'entries'))).toBe(false);
  });

  it('inline --details are checked the same way, naming the flag', async () => {
    const dir = tmp();
    const r = await cli(dir, ['audit', 'append', '--store', 'log', '--event-type', 'x', '--actor', 'a', '--action', 'x', '--details', '{"a":1,"a":2}']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--details:1:8: duplicate key "a"/);
  });

  it('what they cannot alter is kept exactly: a surrogate pair, large safe integers, unicode keys', async () => {
    const r = await appendDetails('{"emoji": "\\ud83d\\ude00", "max": 9007199254740991, "min": -9007199254740991, "ключ": 0.5, "a": {"a": 1}}');
    expect(r.code).toBe(0);
    const rec = JSON.parse(readFileSync(join(r.dir, 'log', entryKey(0)), 'utf8'));
    expect(rec.details).toEqual({ emoji: '😀', max: 9007199254740991, min: -9007199254740991, 'ключ': 0.5, a: { a: 1 } });
  });
});

describe('lone surrogates in records', () => {
  it('the writer refuses them in any field (E_INPUT)', async () => {
    const store = new FileStore(join(tmp(), 'log'));
    const base = { event_type: 'x', component: 'c', actor: 'a', action: 'x' };
    await expect(appendRecord([store], { ...base, details: { note: 'a\ud800b' } })).rejects.toMatchObject({ code: 'E_INPUT', where: 'details.note' });
    await expect(appendRecord([store], { ...base, details: { ['k\udfff']: 1 } })).rejects.toMatchObject({ code: 'E_INPUT' });
    await expect(appendRecord([store], { ...base, actor: '\ud800' })).rejects.toMatchObject({ code: 'E_INPUT', where: 'actor' });
    expect(await store.list('entries').catch(() => [])).toEqual([]);
  });

  it('the verifier reports a stored one as unparseable', async () => {
    const dir = tmp();
    const log = join(dir, 'log');
    expect((await cli(dir, ['audit', 'append', '--store', log, '--event-type', 'x', '--actor', 'a', '--action', 'x'])).code).toBe(0);
    const prev = recordDigest(readFileSync(join(log, entryKey(0))));
    // What a writer without the check stored: canonical JSON (the lone surrogate escaped as JSON.stringify writes it).
    const bytes = encodeRecordUnchecked(1, prev, { note: '\ud800' });
    expect(bytes.toString()).toContain('"note":"\\ud800"');
    writeFileSync(join(log, entryKey(1)), bytes);
    expect(parseRecord(bytes)).toEqual({ ok: false, reason: expect.stringMatching(/lone surrogate/) });
    const v = await cli(dir, ['audit', 'verify', '--store', log, '--json']);
    expect(v.code).toBe(1);
    expect(v.json().findings).toEqual([expect.objectContaining({ kind: 'unparseable', seq: 1, message: expect.stringMatching(/lone surrogate/) })]);
  });
});

/** The canonical bytes a careless writer would store: built with JSON.stringify, bypassing the record checks. */
function encodeRecordUnchecked(seq: number, prev: string, details: Record<string, string>): Buffer {
  const ok = encodeRecord({ v: RECORD_VERSION, log: 'default', seq, prev: prev as `sha256:${string}`, time: '2026-01-01T00:00:00.000Z', event_type: 'x', component: 'c', actor: 'a', action: 'x', subject: [], details: { note: 'PLACEHOLDER' }, compliance_tags: [] });
  return Buffer.from(ok.toString('utf8').replace('"PLACEHOLDER"', JSON.stringify(details.note)), 'utf8');
}
