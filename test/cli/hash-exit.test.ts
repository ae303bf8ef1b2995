// The quick `hash` path ends the process as soon as its output is flushed
// (cli/main.ts): nothing written before that may be lost. The real binary in
// its own process, its stdout a pipe read late, as by a slow consumer
// (`model-gate hash ... | slow-reader`).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDirEach } from '../lineage/helpers.js';

const bin = fileURLToPath(new URL('../../../bin/model-gate.js', import.meta.url));

/** Runs the CLI with stdout into a pipe whose reader starts 300 ms late; stderr into a plain pipe. */
async function runReadLate(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // pipefail: the exit code is the CLI's, not the reader's.
  const script = 'set -o pipefail; "$0" "$@" | { sleep 0.3; cat; }';
  const child = spawn('bash', ['-c', script, process.execPath, bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => void (stdout += d));
  child.stderr.on('data', (d) => void (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  return { code, stdout, stderr };
}

describe('`model-gate hash` exits once its output is out, losing none of it', () => {
  const tmp = tempDirEach();

  it('every digest line of 2,000 files (more than a pipe holds) reaches a reader that reads late', async () => {
    const names = Array.from({ length: 2000 }, (_, i) => `file-with-a-long-name-${String(i).padStart(5, '0')}.bin`);
    for (const n of names) writeFileSync(join(tmp.dir, n), n);
    const r = await runReadLate(['hash', ...names], tmp.dir);
    expect(r.code).toBe(0);
    const want = names.map((n) => `sha256:${createHash('sha256').update(n).digest('hex')}  ${n}\n`).join('');
    expect(want.length).toBeGreaterThan(65536);
    expect(r.stdout).toBe(want);
  });

  it('a path that cannot be read: the digests before it, then the whole error report, exit 2', async () => {
    writeFileSync(join(tmp.dir, 'a.bin'), 'a');
    const r = await runReadLate(['hash', 'a.bin', 'missing.bin'], tmp.dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(`sha256:${createHash('sha256').update('a').digest('hex')}  a.bin\n`);
    expect(r.stderr).toMatch(/^model-gate: missing\.bin: no such file or directory\n {2}hint: .+\n$/);
  });
});
