// `model-gate ... | head`: the reader may go away before the command has
// written a byte. Every way the CLI prints to stdout (help of the program and
// of a subcommand, the version, a command's report) must then end quietly,
// with the exit code it would have had, and no "Unhandled 'error' event"
// stack trace. The real binary in its own process; its stdout is a pipe whose
// reading end is closed before the child writes.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../../bin/model-gate.js', import.meta.url));

async function withStdoutClosed(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy(); // as `head` does once it has read what it wants: here, before the first byte
  let stderr = '';
  child.stderr.on('data', (d) => void (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  return { code, stderr };
}

describe('stdout closed before the CLI writes (model-gate ... | head)', () => {
  test.each([
    [['--version']],
    [['-V']],
    [['--help']],
    [['-h']],
    [['help']],
    [['help', 'audit']],
    [['audit', '--help']],
    [['audit', 'stream', '--help']],
    [['audit', 'verify', '--help']],
  ])('%j ends quietly with exit 0', async (args) => {
    const r = await withStdoutClosed(args);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|Error|at .*\.js:\d+/);
    expect(r.code).toBe(0);
  });

  test('an unknown flag still says so on stderr with exit 2', async () => {
    const r = await withStdoutClosed(['audit', 'verify', '--no-such-flag']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no-such-flag/);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|at .*\.js:\d+/);
  });
});
