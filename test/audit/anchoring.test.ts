/**
 * Item 1 of "evidence that cannot lie": a hash chain cannot see an edit of
 * its last record or a cut of its tail, so `verify` must say how far the
 * evidence reaches and read `intact` only when every record is anchored.
 * Each test is an attack on a real file store through the CLI.
 */
import { chmodSync, copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { checkpointKey, entryKey } from '../../src/audit/store.js';
import { verifyChain } from '../../src/audit/chain-verify.js';
import { recordDigest } from '../../src/audit/record.js';
import type { CheckedCheckpoint } from '../../src/audit/checkpoint.js';
import { buildChain, observe } from './chain-fixtures.js';
import { cli } from './cli-harness.js';
import { tempDirs } from './temp-dir.js';

const tmp = tempDirs();

async function append(dir: string, log: string, action: string, extra: string[] = []) {
  const r = await cli(dir, ['audit', 'append', '--store', log, '--event-type', 'model.release', '--actor', 'alice', '--action', action, '--json', ...extra]);
  expect(r.code).toBe(0);
  return r.json() as { seq: number; digest: string; checkpoints?: Array<{ key: string; size: number; head: string }> };
}

async function setup(n: number): Promise<{ dir: string; log: string }> {
  const dir = tmp();
  const log = join(dir, 'log');
  for (let i = 0; i < n; i++) await append(dir, log, `release ${i}`);
  expect((await cli(dir, ['audit', 'keygen', '--out', 'key.jwk'])).code).toBe(0);
  return { dir, log };
}

function editLast(log: string, seq: number): void {
  const file = join(log, entryKey(seq));
  chmodSync(file, 0o644);
  // Still a valid canonical record: only the action text changes.
  writeFileSync(file, readFileSync(file, 'utf8').replace(`release ${seq}`, `release X`));
}

describe('anchoring: how far the evidence reaches', () => {
  it('an edited last record on a log without checkpoints is an "unanchored tail", never "intact"', async () => {
    const { dir, log } = await setup(3);
    editLast(log, 2);
    const r = await cli(dir, ['audit', 'verify', '--store', log, '--json']);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ ok: true, status: 'unanchored-tail', anchored_size: 0, size: 3 });
    const text = await cli(dir, ['audit', 'verify', '--store', log]);
    expect(text.stdout).not.toMatch(/intact/);
    expect(text.stdout).toMatch(/unanchored tail/);
    expect(text.stdout).toMatch(/records 0\.\.2 not covered by any checkpoint: an edit or a cut there cannot be detected/);
  });

  it('--require-anchored fails (exit 1) on an unanchored tail and passes once a checkpoint covers it', async () => {
    const { dir, log } = await setup(3);
    const r = await cli(dir, ['audit', 'verify', '--store', log, '--require-anchored']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/require-anchored.*not covered by any checkpoint/);
    expect((await cli(dir, ['audit', 'checkpoint', '--store', log, '--key', 'key.jwk'])).code).toBe(0);
    const ok = await cli(dir, ['audit', 'verify', '--store', log, '--checkpoint-key', 'key.pub.jwk', '--require-anchored', '--json']);
    expect(ok.code).toBe(0);
    expect(ok.json()).toMatchObject({ status: 'intact', anchored_size: 3, anchored_by: 'the signed checkpoint at size 3' });
  });

  it('records after the newest checkpoint are reported as the unanchored tail, by range', async () => {
    const { dir, log } = await setup(3);
    expect((await cli(dir, ['audit', 'checkpoint', '--store', log, '--key', 'key.jwk'])).code).toBe(0);
    await append(dir, log, 'late 3');
    await append(dir, log, 'late 4');
    const r = await cli(dir, ['audit', 'verify', '--store', log, '--checkpoint-key', 'key.pub.jwk']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/unanchored tail, 5 record\(s\)/);
    expect(r.stdout).toMatch(/records 0\.\.2 anchored by the signed checkpoint at size 3; records 3\.\.4 not covered by any checkpoint/);
    // Without the key a stored checkpoint proves nothing, so nothing is anchored.
    const nokey = await cli(dir, ['audit', 'verify', '--store', log, '--json']);
    expect(nokey.json()).toMatchObject({ status: 'unanchored-tail', anchored_size: 0 });
  });

  it('audit append --checkpoint-key signs a checkpoint right after the append, so the log is always intact', async () => {
    const { dir, log } = await setup(0);
    for (let i = 0; i < 3; i++) {
      const a = await append(dir, log, `release ${i}`, ['--checkpoint-key', 'key.jwk']);
      expect(a.checkpoints).toEqual([expect.objectContaining({ key: checkpointKey(i + 1), size: i + 1, head: a.digest })]);
      const v = await cli(dir, ['audit', 'verify', '--store', log, '--checkpoint-key', 'key.pub.jwk', '--require-anchored', '--json']);
      expect(v.code).toBe(0);
      expect(v.json()).toMatchObject({ status: 'intact', size: i + 1, anchored_size: i + 1 });
    }
    // And the edit of the last record that a bare chain cannot see is now a finding.
    editLast(log, 2);
    const v = await cli(dir, ['audit', 'verify', '--store', log, '--checkpoint-key', 'key.pub.jwk', '--json']);
    expect(v.code).toBe(1);
    expect(v.json().findings.map((f: { kind: string; seq: number }) => `${f.kind}@${f.seq}`)).toEqual(['modified@2']);
  });

  it('a log rolled back past a deleted checkpoint and refilled with forged records fails against a trusted checkpoint or --expect-head', async () => {
    const { dir, log } = await setup(5);
    expect((await cli(dir, ['audit', 'checkpoint', '--store', log, '--key', 'key.jwk'])).code).toBe(0);
    for (let i = 5; i < 10; i++) await append(dir, log, `release ${i}`);
    const cp = await cli(dir, ['audit', 'checkpoint', '--store', log, '--key', 'key.jwk', '--json']);
    const { head } = cp.json() as { head: string };
    // The auditor kept the checkpoint at size 10 (e.g. from the job summary).
    copyFileSync(join(log, checkpointKey(10)), join(dir, 'trusted.jws'));
    // The attacker deletes it, cuts the log back to 6 records and writes 6 forged ones.
    rmSync(join(log, checkpointKey(10)));
    for (let i = 6; i < 10; i++) rmSync(join(log, entryKey(i)));
    // And the tiles, which would otherwise expose the rollback at the next append (tile-mismatch, docs/transparency-log.md).
    rmSync(join(log, 'tile'), { recursive: true, force: true });
    for (let i = 6; i < 12; i++) await append(dir, log, `forged ${i}`);
    // What passed before: a valid (older) checkpoint and a size learned elsewhere.
    const minSize = await cli(dir, ['audit', 'verify', '--store', log, '--checkpoint-key', 'key.pub.jwk', '--min-size', '10', '--json']);
    expect(minSize.json()).toMatchObject({ ok: true, status: 'unanchored-tail', anchored_size: 5 });
    for (const extra of [['--trusted-checkpoint', 'trusted.jws'], ['--min-size', '10', '--expect-head', head]]) {
      for (const from of [[], ['--from-checkpoint']]) {
        const r = await cli(dir, ['audit', 'verify', '--store', log, '--checkpoint-key', 'key.pub.jwk', ...extra, ...from, '--json']);
        expect(r.code).toBe(1);
        expect(r.json().findings.map((f: { kind: string; seq: number }) => `${f.kind}@${f.seq}`)).toEqual(['modified@9']);
      }
    }
    // A cut below the trusted size is a truncation even with no checkpoint left in the store.
    for (let i = 5; i < 12; i++) rmSync(join(log, entryKey(i)));
    rmSync(join(log, checkpointKey(5)));
    const cut = await cli(dir, ['audit', 'verify', '--store', log, '--checkpoint-key', 'key.pub.jwk', '--trusted-checkpoint', 'trusted.jws', '--json']);
    expect(cut.code).toBe(1);
    expect(cut.json().findings.map((f: { kind: string; seq: number }) => `${f.kind}@${f.seq}`)).toEqual(['truncated@5']);
  });

  it('--expect-head alone pins the current last record', async () => {
    const { dir, log } = await setup(3);
    const last = await append(dir, log, 'release 3');
    const ok = await cli(dir, ['audit', 'verify', '--store', log, '--expect-head', last.digest, '--json']);
    expect(ok.json()).toMatchObject({ ok: true, status: 'intact', anchored_size: 4, anchored_by: '--expect-head (size 4)' });
    editLast(log, 3);
    const bad = await cli(dir, ['audit', 'verify', '--store', log, '--expect-head', last.digest, '--json']);
    expect(bad.code).toBe(1);
    expect(bad.json().findings[0]).toMatchObject({ kind: 'modified', seq: 3 });
  });

  it('bad anchoring input is a usage error (exit 2), not a verification result', async () => {
    const { dir, log } = await setup(2);
    expect((await cli(dir, ['audit', 'verify', '--store', log, '--expect-head', 'abc'])).code).toBe(2);
    expect((await cli(dir, ['audit', 'verify', '--store', log, '--trusted-checkpoint', 'key.jwk'])).code).toBe(2);
    writeFileSync(join(dir, 'forged.jws'), 'eyJhbGciOiJFZERTQSJ9.e30.AAAA');
    const r = await cli(dir, ['audit', 'verify', '--store', log, '--checkpoint-key', 'key.pub.jwk', '--trusted-checkpoint', 'forged.jws']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/forged\.jws: the trusted checkpoint is not a valid checkpoint/);
  });

  it('an empty log is "empty", not "intact", and --require-anchored fails on it', async () => {
    const { dir, log } = await setup(1);
    rmSync(join(log, entryKey(0)));
    const r = await cli(dir, ['audit', 'verify', '--store', log, '--json']);
    expect(r.json()).toMatchObject({ ok: true, status: 'empty', size: 0 });
    expect((await cli(dir, ['audit', 'verify', '--store', log, '--require-anchored'])).code).toBe(1);
  });
});

describe('anchored_size (pure verifier)', () => {
  const valid = (chain: Uint8Array[], size: number): CheckedCheckpoint => ({
    size,
    status: 'valid',
    payload: { log: 'default', size, head: recordDigest(chain[size - 1]), time: '2026-01-02T00:00:00.000Z' },
  });

  it('is the largest checkpoint size whose head matches, and status is intact exactly when it reaches the end', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 25 }), fc.uniqueArray(fc.nat(), { maxLength: 4 }), (n, picks) => {
        const chain = buildChain(n);
        const sizes = picks.map((p) => (p % n) + 1);
        const r = verifyChain({ entries: observe(chain), checkpoints: sizes.map((s) => valid(chain, s)) });
        const expected = sizes.length ? Math.max(...sizes) : 0;
        expect(r.anchored_size).toBe(expected);
        expect(r.status).toBe(expected === n ? 'intact' : 'unanchored-tail');
      }),
      { numRuns: 100 },
    );
  });
});
