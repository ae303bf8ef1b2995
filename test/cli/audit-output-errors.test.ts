/**
 * Item 8: output errors. `append --json > /dev/full` wrote the record, then
 * exited 1 ("verification failed"), so a caller would retry and record the
 * event twice; `verify | head` crashed with EPIPE. Now a failed write after
 * the record was stored is exit 3 with the record's seq on stderr, and a
 * reader that goes away ends the output quietly. The real binary, in its
 * own process, with its stdout on /dev/full or a pipe closed early.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { entryKey } from '../../src/audit/store.js';
import { buildChain } from '../audit/chain-fixtures.js';
import { tempDirs } from '../audit/temp-dir.js';

const tmp = tempDirs();
const bin = fileURLToPath(new URL('../../../bin/model-gate.js', import.meta.url));
const appendArgs = (store: string) => ['audit', 'append', '--store', store, '--event-type', 'x', '--actor', 'a', '--action', 'x', '--json'];

describe('output errors', () => {
  it('append with stdout on /dev/full: the record is stored, exit 3, and stderr names its seq', () => {
    if (!existsSync('/dev/full')) throw new Error('this test needs /dev/full (Linux)');
    const dir = tmp();
    const store = join(dir, 'log');
    expect(spawnSync(process.execPath, [bin, ...appendArgs(store)], { cwd: dir }).status).toBe(0);
    const full = openSync('/dev/full', 'w');
    const r = spawnSync(process.execPath, [bin, ...appendArgs(store)], { cwd: dir, stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
    closeSync(full);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/record 1 \(sha256:[0-9a-f]{64}\) was appended to the log, but its output could not be written: .*ENOSPC/);
    expect(r.stderr).toMatch(/do not append it again/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
    expect(readdirSync(join(store, 'entries'))).toHaveLength(2);
  });

  it('any other command with stdout on /dev/full: exit 3 and a one-line reason, no stack trace', () => {
    const dir = tmp();
    const store = join(dir, 'log');
    expect(spawnSync(process.execPath, [bin, ...appendArgs(store)], { cwd: dir }).status).toBe(0);
    const full = openSync('/dev/full', 'w');
    const r = spawnSync(process.execPath, [bin, 'audit', 'verify', '--store', store], { cwd: dir, stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
    closeSync(full);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/^model-gate: cannot write the output: .*ENOSPC/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('verify | head: when the reader goes away, the output ends quietly (no EPIPE crash)', async () => {
    const dir = tmp();
    const store = join(dir, 'log');
    mkdirSync(join(store, 'entries'), { recursive: true });
    // 3,000 findings: far more text than a pipe buffers.
    buildChain(3000).forEach((b, seq) => writeFileSync(join(store, entryKey(seq)), seq % 3 === 1 ? Buffer.from('not a record') : b));
    const child = spawn(process.execPath, [bin, 'audit', 'verify', '--store', store], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => void (stderr += d));
    // Read one chunk, then close the pipe as `head` does.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|Error|at .*\.js:\d+/);
    expect(code).toBe(1); // the verification's own result: findings
  });
});
