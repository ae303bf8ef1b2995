/**
 * Item 3: the file store trusted whatever sat at an entry path. A FIFO hung
 * `verify` and `append` forever, a directory was retried six times and gave
 * exit 3, and a 100 MB or 6 GB sparse file was read whole. Now each is an
 * `unparseable` finding naming the key (a checkpoint path: `bad-checkpoint`),
 * append stops with a clear error, and nothing hangs or reads more than a
 * record's limit.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointKey, entryKey } from '../../../src/audit/store.js';
import { FileStore } from '../../../src/audit/stores/file-store.js';
import { cli } from '../cli-harness.js';
import { tempDirs } from '../temp-dir.js';

const tmp = tempDirs();

async function log(n: number): Promise<{ dir: string; log: string }> {
  const dir = tmp();
  const log = join(dir, 'log');
  for (let i = 0; i < n; i++) {
    expect((await cli(dir, ['audit', 'append', '--store', log, '--event-type', 'x', '--actor', 'a', '--action', `r${i}`])).code).toBe(0);
  }
  return { dir, log };
}

const findings = (r: { json: () => { findings: Array<{ kind: string; seq: number; message: string }> } }) => r.json().findings;

/** Replaces the entry at seq with what `plant` makes at its path. */
function replace(logDir: string, seq: number, plant: (path: string) => void): string {
  const path = join(logDir, entryKey(seq));
  rmSync(path, { force: true });
  plant(path);
  return entryKey(seq);
}

describe('the file store reads only regular files, at most a record\'s limit', () => {
  const cases: Array<[string, (p: string) => void, RegExp]> = [
    ['a FIFO', (p) => execFileSync('mkfifo', [p]), /not a regular file \(a FIFO\)/],
    ['a directory', (p) => mkdirSync(p), /not a regular file \(a directory\)/],
    ['a symbolic link to /dev/zero', (p) => symlinkSync('/dev/zero', p), /not a regular file \(a character device\)/],
    ['a 100 MB file', (p) => { writeFileSync(p, ''); truncateSync(p, 100 * 1024 * 1024); }, /104857600 bytes, larger than any record/],
    ['a 6 GB sparse file', (p) => { writeFileSync(p, ''); truncateSync(p, 6 * 1024 ** 3); }, /6442450944 bytes, larger than any record/],
  ];

  it.each(cases)('%s at an entry path is an unparseable finding naming the key, never a hang', async (_what, plant, reason) => {
    const { dir, log: store } = await log(4);
    const key = replace(store, 2, plant);
    const t0 = Date.now();
    const r = await cli(dir, ['audit', 'verify', '--store', store, '--json']);
    expect(Date.now() - t0).toBeLessThan(4000); // no retries with backoff, no reading of gigabytes
    expect(r.code).toBe(1);
    expect(findings(r)).toEqual([
      expect.objectContaining({ kind: 'unparseable', seq: 2, key, message: expect.stringMatching(reason) }),
    ]);
    // Record 3 still points at the original record 2: nothing else is reported (its link cannot be checked).
  });

  it.each(cases)('%s as the last entry stops append with exit 1 naming the key, never a hang', async (_what, plant, reason) => {
    const { dir, log: store } = await log(3);
    const key = replace(store, 2, plant);
    const r = await cli(dir, ['audit', 'append', '--store', store, '--event-type', 'x', '--actor', 'a', '--action', 'after']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(key);
    expect(r.stderr).toMatch(reason);
  });

  it('show and report list a FIFO entry as unreadable and go on, never a hang', async () => {
    const { dir, log: store } = await log(4);
    replace(store, 1, (p) => execFileSync('mkfifo', [p]));
    const show = await cli(dir, ['audit', 'show', '--store', store]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/ 1 +\(not a valid record: entries\/00000000000000000001\.json is not a regular file \(a FIFO\)\)/);
    expect(show.stdout.trim().split('\n')).toHaveLength(4);
    const report = await cli(dir, ['report', '--store', store, '--format', 'json']);
    expect(report.code).toBe(1);
    expect(JSON.parse(report.stdout).appendix.unreadable).toEqual([expect.objectContaining({ seq: 1, reason: expect.stringMatching(/FIFO/) })]);
  });

  it('a FIFO at a checkpoint path is a bad-checkpoint naming the key, never a hang', async () => {
    const { dir, log: store } = await log(3);
    expect((await cli(dir, ['audit', 'keygen', '--out', 'k.jwk'])).code).toBe(0);
    expect((await cli(dir, ['audit', 'checkpoint', '--store', store, '--key', 'k.jwk'])).code).toBe(0);
    rmSync(join(store, checkpointKey(3)));
    execFileSync('mkfifo', [join(store, checkpointKey(3))]);
    for (const from of [[], ['--from-checkpoint']]) {
      const r = await cli(dir, ['audit', 'verify', '--store', store, '--checkpoint-key', 'k.pub.jwk', '--json', ...from]);
      expect(r.code).toBe(1);
      expect(findings(r)).toEqual([expect.objectContaining({ kind: 'bad-checkpoint', seq: 2, message: expect.stringMatching(/checkpoints\/00000000000000000003\.jws is not a regular file \(a FIFO\)/) })]);
    }
  });

  it('read() refuses what is not a record file with E_CHAIN_BROKEN; inspect() reports it', async () => {
    const store = new FileStore(join(tmp(), 'log'));
    await store.checkAppendable();
    execFileSync('mkfifo', [join(store.root, entryKey(0))]);
    await expect(store.read(entryKey(0))).rejects.toMatchObject({ code: 'E_CHAIN_BROKEN', message: expect.stringMatching(/FIFO/) });
    expect(await store.inspect(entryKey(0))).toEqual({ bytes: null, laterVersions: [], problem: 'not a regular file (a FIFO)' });
    // A create at that key never overwrites it and never hangs.
    await expect(store.create(entryKey(0), Buffer.from('x'))).rejects.toMatchObject({ code: 'E_CHAIN_BROKEN' });
  });
});
