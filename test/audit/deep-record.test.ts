/**
 * Item 2: a record nested thousands of levels deep (still under 64 KiB) made
 * every reader die with RangeError (exit 3); under COMPLIANCE it can never be
 * removed, so the log was bricked. The record format now has a depth limit:
 * a deeper stored record is an `unparseable` finding and appends continue
 * after it; deeper input is an input error (exit 2).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendRecord } from '../../src/audit/append.js';
import { MAX_RECORD_DEPTH, encodeRecord, parseRecord, recordDigest, RECORD_VERSION } from '../../src/audit/record.js';
import { entryKey } from '../../src/audit/store.js';
import { FileStore } from '../../src/audit/stores/file-store.js';
import { runCli } from '../../src/cli/program.js';
import { nestsDeeperThan, valueNestsDeeperThan } from '../../src/audit/json-depth.js';
import fc from 'fast-check';
import { cli } from './cli-harness.js';
import { tempDirs } from './temp-dir.js';

const tmp = tempDirs();
const nested = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);

/** The canonical bytes of record `seq` after `prevBytes`, with `details.x` nested `levels` arrays deep. */
function deepRecord(seq: number, prevBytes: Buffer, levels: number): Buffer {
  const marker = '"__deep__"';
  const base = encodeRecord({
    v: RECORD_VERSION, log: 'default', seq, prev: recordDigest(prevBytes), time: '2026-01-01T00:00:00.000Z',
    event_type: 'x', component: 'attacker', actor: 'mallory', action: 'plant', subject: [], details: { x: '__deep__' }, compliance_tags: [],
  }).toString('utf8');
  return Buffer.from(base.replace(marker, nested(levels)), 'utf8');
}

async function logWithDeepRecord(levels: number): Promise<{ dir: string; log: string; planted: Buffer }> {
  const dir = tmp();
  const log = join(dir, 'log');
  for (let i = 0; i < 3; i++) {
    expect((await cli(dir, ['audit', 'append', '--store', log, '--event-type', 'x', '--actor', 'a', '--action', `r${i}`])).code).toBe(0);
  }
  const planted = deepRecord(3, readFileSync(join(log, entryKey(2))), levels);
  expect(planted.length).toBeLessThan(64 * 1024);
  writeFileSync(join(log, entryKey(3)), planted);
  return { dir, log, planted };
}

describe('a deeply nested record planted in the store', () => {
  it('is an unparseable finding (exit 1), not a crash, and appends continue after it', async () => {
    const { dir, log, planted } = await logWithDeepRecord(4500);
    const v = await cli(dir, ['audit', 'verify', '--store', log, '--json']);
    expect(v.stderr).not.toMatch(/internal error|RangeError/);
    expect(v.code).toBe(1);
    expect(v.json().findings).toEqual([
      expect.objectContaining({ kind: 'unparseable', seq: 3, message: expect.stringMatching(new RegExp(`nested more than ${MAX_RECORD_DEPTH} levels`)) }),
    ]);
    const a = await cli(dir, ['audit', 'append', '--store', log, '--event-type', 'x', '--actor', 'a', '--action', 'after', '--json']);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    expect(a.json().seq).toBe(4);
    const next = JSON.parse(readFileSync(join(log, entryKey(4)), 'utf8'));
    expect(next).toMatchObject({ seq: 4, log: 'default', prev: recordDigest(planted) });
    // The chain still links across it: the planted record is the only finding.
    const again = await cli(dir, ['audit', 'verify', '--store', log, '--json']);
    expect(again.json().findings.map((f: { kind: string; seq: number }) => `${f.kind}@${f.seq}`)).toEqual(['unparseable@3']);
  });

  it('show, checkpoint and report name it and do not crash', async () => {
    const { dir, log } = await logWithDeepRecord(4500);
    const show = await cli(dir, ['audit', 'show', '--store', log]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/ 3 +\(not a valid record: nested more than/);
    expect((await cli(dir, ['audit', 'keygen', '--out', 'k.jwk'])).code).toBe(0);
    const cp = await cli(dir, ['audit', 'checkpoint', '--store', log, '--key', 'k.jwk']);
    expect(cp.code).toBe(1);
    expect(cp.stderr).toMatch(/refusing to sign a checkpoint over a log with 1 finding\(s\): unparseable at 3/);
    let out = '';
    let err = '';
    const code = await runCli(['report', '--store', log, '--format', 'json'], { stdout: (t) => void (out += t), stderr: (t) => void (err += t), env: {}, cwd: dir, stderrIsTty: false });
    expect(err).not.toMatch(/internal error/);
    expect(code).toBe(1);
    expect(JSON.parse(out).appendix.unreadable).toEqual([expect.objectContaining({ seq: 3, reason: expect.stringMatching(/nested more than/) })]);
  });

  it('the limit is exact: the deepest allowed record parses, one level more does not', () => {
    const prev = Buffer.from('x');
    // The record object is level 1 and details level 2, so x may hold MAX - 2 levels of arrays.
    expect(parseRecord(deepRecord(1, prev, MAX_RECORD_DEPTH - 2)).ok).toBe(true);
    expect(parseRecord(deepRecord(1, prev, MAX_RECORD_DEPTH - 1))).toEqual({ ok: false, reason: expect.stringMatching(/nested more than/) });
    // Brackets inside strings are text, not nesting.
    const inString = encodeRecord({
      v: RECORD_VERSION, log: 'default', seq: 1, prev: recordDigest(prev), time: '2026-01-01T00:00:00.000Z',
      event_type: 'x', component: 'c', actor: 'a', action: `${'['.repeat(500)}\\"{{{`, subject: [], details: {}, compliance_tags: [],
    });
    expect(parseRecord(inString).ok).toBe(true);
  });
});

describe('the depth count on the text', () => {
  it('agrees with the depth of the parsed value, for bytes and text, brackets in strings and escapes included', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 9 }), (v, limit) => {
        const text = JSON.stringify(v);
        const want = valueNestsDeeperThan(v, limit);
        expect(nestsDeeperThan(text, limit)).toBe(want);
        expect(nestsDeeperThan(Buffer.from(text, 'utf8'), limit)).toBe(want);
      }),
      { numRuns: 500 },
    );
    expect(nestsDeeperThan('{"a":"[[[\\"]]]"}', 1)).toBe(false);
  });
});

describe('deeply nested input', () => {
  it('--details @deep.json nested 2,200 levels is an input error (exit 2), nothing written', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'deep.json'), `{"x":${nested(2200)}}`);
    const r = await cli(dir, ['audit', 'append', '--store', 'log', '--event-type', 'x', '--actor', 'a', '--action', 'x', '--details', '@deep.json']);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`deep\\.json: details are nested more than ${MAX_RECORD_DEPTH - 1} levels deep`));
    expect(await new FileStore(join(dir, 'log')).list('entries').catch(() => [])).toEqual([]);
  });

  it('a library caller passing deep details gets E_INPUT naming details', async () => {
    let deep: unknown = 0;
    for (let i = 0; i < 5000; i++) deep = [deep];
    const store = new FileStore(join(tmp(), 'log'));
    await expect(appendRecord([store], { event_type: 'x', component: 'c', actor: 'a', action: 'x', details: { deep } })).rejects.toMatchObject({ code: 'E_INPUT', where: 'details' });
  });
});
