/**
 * The one in-process CLI harness: runs `model-gate ARGV` through runCli (the
 * real parser and commands; no process) and captures what it writes.
 */
import { runCli } from '../../src/cli/program.js';

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON. */
  json: () => any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Runs `model-gate argv` in `cwd` (default: the process's) with exactly `env` (default: PATH only). */
export async function modelGate(
  argv: string[],
  opts: { cwd?: string; env?: Record<string, string | undefined>; tty?: boolean } = {},
): Promise<CliOutcome> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: opts.env ?? { PATH: process.env.PATH },
    cwd: opts.cwd ?? process.cwd(),
    stderrIsTty: opts.tty ?? false,
  });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}
