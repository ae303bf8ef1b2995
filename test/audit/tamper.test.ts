/**
 * Tampering with a real file store the way an attacker with write access
 * would (chmod the read-only record first), and checking that `audit verify`
 * reports each kind of finding at the right place.
 */
import { chmodSync, copyFileSync, readFileSync, renameSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { entryKey, checkpointKey } from '../../src/audit/store.js';
import { cli } from './cli-harness.js';
import { tempDirs } from './temp-dir.js';

const tmp = tempDirs();

/** A log of `n` records with a checkpoint at size `n`, and the keys used. */
async function makeLog(n: number): Promise<{ dir: string; log: string; key: string; pub: string }> {
  const dir = tmp();
  const log = join(dir, 'log');
  for (let i = 0; i < n; i++) {
    const r = await cli(dir, ['audit', 'append', '--store', log, '--event-type', 'model.release', '--actor', 'alice', '--action', `release ${i}`, '--json']);
    expect(r.code).toBe(0);
  }
  expect((await cli(dir, ['audit', 'keygen', '--out', 'key.jwk'])).code).toBe(0);
  expect((await cli(dir, ['audit', 'checkpoint', '--store', log, '--key', 'key.jwk'])).code).toBe(0);
  return { dir, log, key: join(dir, 'key.jwk'), pub: join(dir, 'key.pub.jwk') };
}

async function verify(dir: string, stores: string[], pub?: string, extra: string[] = []) {
  const args = ['audit', 'verify', ...stores.flatMap((s) => ['--store', s]), '--json', ...extra];
  if (pub) args.push('--checkpoint-key', pub);
  const r = await cli(dir, args);
  return { code: r.code, out: r.json(), kinds: (r.json().findings as { kind: string; seq: number }[]).map((f) => `${f.kind}@${f.seq}`) };
}

function edit(file: string, change: (text: string) => string): void {
  chmodSync(file, 0o644); // what an attacker does first: the record is 0444
  writeFileSync(file, change(readFileSync(file, 'utf8')));
}

describe('tampering with a file store is reported', () => {
  it('an intact log verifies with exit 0', async () => {
    const { dir, log, pub } = await makeLog(4);
    const r = await verify(dir, [log], pub);
    expect(r.code).toBe(0);
    expect(r.out).toMatchObject({ ok: true, size: 4, findings: [], superseded: [] });
    expect(r.out.head).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('modified: one byte of a record edited', async () => {
    const { dir, log, pub } = await makeLog(5);
    edit(join(log, entryKey(1)), (t) => t.replace('release 1', 'release 9'));
    const r = await verify(dir, [log], pub);
    expect(r.code).toBe(1);
    expect(r.kinds).toEqual(['modified@1']);
  });

  it('broken-link: the record before an unvouched last record edited', async () => {
    const { dir, log } = await makeLog(3);
    edit(join(log, entryKey(1)), (t) => t.replace('release 1', 'release 9'));
    expect((await verify(dir, [log])).kinds).toEqual(['broken-link@2']);
  });

  it('missing: a record deleted', async () => {
    const { dir, log, pub } = await makeLog(5);
    rmSync(join(log, entryKey(2)), { force: true });
    const r = await verify(dir, [log], pub);
    expect(r.kinds).toContain('missing@2');
  });

  it('misplaced: two records swapped', async () => {
    const { dir, log, pub } = await makeLog(5);
    const a = join(log, entryKey(1));
    const b = join(log, entryKey(3));
    renameSync(a, `${a}.x`);
    renameSync(b, a);
    renameSync(`${a}.x`, b);
    const r = await verify(dir, [log], pub);
    expect(r.kinds).toEqual(expect.arrayContaining(['misplaced@1', 'misplaced@3']));
  });

  it('truncated: records removed after a checkpoint, or below --min-size', async () => {
    const { dir, log, pub } = await makeLog(5);
    rmSync(join(log, entryKey(4)), { force: true });
    rmSync(join(log, entryKey(3)), { force: true });
    expect((await verify(dir, [log], pub)).kinds).toEqual(['truncated@3']);
    expect((await verify(dir, [log], undefined, ['--min-size', '4'])).kinds).toEqual(['truncated@3']);
    expect((await verify(dir, [log], undefined, ['--min-size', '3'])).code).toBe(0);
  });

  it('bad-checkpoint: a checkpoint forged with another key', async () => {
    const { dir, log, pub } = await makeLog(3);
    // The attacker signs with their own key, over a log they then truncate.
    const evil = tmp();
    expect((await cli(evil, ['audit', 'keygen', '--out', 'evil.jwk'])).code).toBe(0);
    const copy = join(evil, 'log');
    cpSync(log, copy, { recursive: true });
    rmSync(join(copy, checkpointKey(3)), { force: true });
    await cli(evil, ['audit', 'append', '--store', copy, '--event-type', 'x', '--actor', 'mallory', '--action', 'x']);
    expect((await cli(evil, ['audit', 'checkpoint', '--store', copy, '--key', 'evil.jwk'])).code).toBe(0);
    copyFileSync(join(copy, checkpointKey(4)), join(log, checkpointKey(4)));
    const r = await verify(dir, [log], pub);
    expect(r.kinds).toEqual(['bad-checkpoint@3']);
    expect(r.out.findings[0].message).toMatch(/signature/);
  });

  it('unparseable: a record replaced by garbage', async () => {
    const { dir, log, pub } = await makeLog(4);
    edit(join(log, entryKey(2)), () => 'not json');
    const r = await verify(dir, [log], pub);
    expect(r.kinds).toEqual(expect.arrayContaining(['unparseable@2', 'modified@2']));
  });

  it('wrong-log: a record from another log copied in', async () => {
    const { dir, log } = await makeLog(2);
    const other = join(dir, 'other');
    await cli(dir, ['audit', 'append', '--store', other, '--log', 'elsewhere', '--event-type', 'x', '--actor', 'a', '--action', 'x']);
    for (let i = 0; i < 2; i++) await cli(dir, ['audit', 'append', '--store', other, '--event-type', 'x', '--actor', 'a', '--action', 'x']);
    copyFileSync(join(other, entryKey(2)), join(log, entryKey(2)));
    expect((await verify(dir, [log])).kinds).toEqual(expect.arrayContaining(['wrong-log@2']));
  });

  it('store-mismatch: one of two redundant stores altered', async () => {
    const dir = tmp();
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    for (let i = 0; i < 3; i++) {
      expect((await cli(dir, ['audit', 'append', '--store', a, '--store', b, '--event-type', 'x', '--actor', 'a', '--action', `x${i}`])).code).toBe(0);
    }
    expect((await verify(dir, [a, b])).code).toBe(0);
    rmSync(join(b, entryKey(2)), { force: true });
    const r = await verify(dir, [a, b]);
    expect(r.kinds).toEqual(['store-mismatch@2']);
    expect(r.out.findings[0].store).toBe(b);
  });

  it('--from-checkpoint trusts the newest checkpoint and still sees edits after it and at its head', async () => {
    const { dir, log, pub, key } = await makeLog(3);
    for (let i = 0; i < 3; i++) await cli(dir, ['audit', 'append', '--store', log, '--event-type', 'x', '--actor', 'a', '--action', `late ${i}`]);
    const clean = await verify(dir, [log], pub, ['--from-checkpoint']);
    expect(clean.out).toMatchObject({ ok: true, size: 6, from: 2 });
    // An edit behind the checkpoint is not re-read (that is the point), one after it is.
    edit(join(log, entryKey(4)), (t) => t.replace('late 1', 'late X'));
    edit(join(log, entryKey(2)), (t) => t.replace('release 2', 'release X'));
    const r = await verify(dir, [log], pub, ['--from-checkpoint']);
    // Record 5 is the last and no checkpoint covers it: a broken link, not yet a proven edit.
    expect(r.kinds).toEqual(['modified@2', 'broken-link@5']);
    // And a checkpoint is not signed over a log with findings.
    const c = await cli(dir, ['audit', 'checkpoint', '--store', log, '--key', key]);
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/refusing to sign/);
  });
});
