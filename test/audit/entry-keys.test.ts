/**
 * Item 4: entry keys beyond 2^53 - 1. `99999999999999999999.json` made
 * verify, append and report exit 2 ("not an audit store key"), and
 * `00009007199254740993.json` was rounded to …992. Keys are now parsed
 * exactly; one beyond any sequence number is a finding naming the raw key,
 * and every command goes on.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseKeyName } from '../../src/audit/key-index.js';
import { entryKey, isOutOfRangeKey, seqOfEntryKey } from '../../src/audit/store.js';
import { cli } from './cli-harness.js';
import { tempDirs } from './temp-dir.js';

const tmp = tempDirs();

async function logWithKey(name: string): Promise<{ dir: string; log: string }> {
  const dir = tmp();
  const log = join(dir, 'log');
  for (let i = 0; i < 3; i++) expect((await cli(dir, ['audit', 'append', '--store', log, '--event-type', 'x', '--actor', 'a', '--action', `r${i}`])).code).toBe(0);
  copyFileSync(join(log, entryKey(2)), join(log, 'entries', name));
  return { dir, log };
}

describe('entry keys beyond 2^53 - 1', () => {
  for (const name of ['99999999999999999999.json', '00009007199254740993.json', '00009007199254740992.json']) {
    it(`${name}: verify reports it by its raw key (exit 1); append, show and report go on`, async () => {
      const { dir, log } = await logWithKey(name);
      const v = await cli(dir, ['audit', 'verify', '--store', log, '--json']);
      expect(v.code).toBe(1);
      expect(v.json()).toMatchObject({ size: 3 });
      expect(v.json().findings).toEqual([
        { kind: 'unparseable', seq: 3, key: `entries/${name}`, message: expect.stringContaining(`entry key entries/${name} is beyond the largest sequence number`) },
      ]);
      const a = await cli(dir, ['audit', 'append', '--store', log, '--event-type', 'x', '--actor', 'a', '--action', 'after', '--json']);
      expect(a.stderr).toBe('');
      expect(a.json().seq).toBe(3);
      const show = await cli(dir, ['audit', 'show', '--store', log, '--json']);
      expect(show.code).toBe(0);
      expect(show.json().map((r: { seq: number }) => r.seq)).toEqual([0, 1, 2, 3]);
      const report = await cli(dir, ['report', '--store', log, '--format', 'json']);
      expect(report.code).toBe(1); // the finding, not "not an audit store key" (exit 2)
      expect(JSON.parse(report.stdout).verification.findings[0]).toMatchObject({ kind: 'unparseable', key: `entries/${name}` });
    });
  }

  it('2^53 - 1 itself is a sequence number: a gap up to it, one finding for the range', async () => {
    const { dir, log } = await logWithKey('00009007199254740991.json');
    const v = await cli(dir, ['audit', 'verify', '--store', log, '--json']);
    const kinds = v.json().findings.map((f: { kind: string; seq: number }) => `${f.kind}@${f.seq}`);
    expect(kinds).toEqual(['missing@3', `misplaced@${Number.MAX_SAFE_INTEGER}`]);
    expect(v.json().size).toBe(Number.MAX_SAFE_INTEGER + 1);
    // Nothing can follow it: append says so (exit 1) instead of writing a key beyond any seq.
    const a = await cli(dir, ['audit', 'append', '--store', log, '--event-type', 'x', '--actor', 'a', '--action', 'after']);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/largest sequence number \(2\^53 - 1\): no record can follow it/);
  });

  it('keys are parsed exactly: every 20-digit number up to 2^53 - 1 round-trips, every larger one is out of range', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 20n - 1n }), (n) => {
        const name = `${n.toString().padStart(20, '0')}.json`;
        const safe = n <= BigInt(Number.MAX_SAFE_INTEGER);
        expect(parseKeyName('entries', name)).toBe(safe ? Number(n) : 'out-of-range');
        expect(seqOfEntryKey(`entries/${name}`)).toBe(safe ? Number(n) : null);
        expect(isOutOfRangeKey(`entries/${name}`)).toBe(!safe);
        if (safe) expect(entryKey(Number(n))).toBe(`entries/${name}`);
      }),
      { numRuns: 500 },
    );
    for (const n of [2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n]) {
      expect(parseKeyName('entries', `${n.toString().padStart(20, '0')}.json`)).toBe(n < 2n ** 53n ? Number(n) : 'out-of-range');
    }
  });
});
