/**
 * The one in-process CLI harness: runs `model-gate ARGV` through runCli (the
 * real parser and commands; no process) and captures what it writes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

/**
 * `model-gate simulate --json` on a policy text and a facts object, written
 * to `dir` as `policy.yml` and `facts-NAME.json`: what an auditor replays.
 */
export async function simulateFacts(dir: string, policy: string, facts: unknown, name: string | number): Promise<{ code: number; verdict: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const factsFile = join(dir, `facts-${name}.json`);
  const policyFile = join(dir, 'policy.yml');
  writeFileSync(factsFile, JSON.stringify(facts));
  writeFileSync(policyFile, policy);
  const r = await modelGate(['simulate', '--policy', policyFile, '--facts', factsFile, '--json'], { cwd: dir });
  return { code: r.code, verdict: r.json() };
}
