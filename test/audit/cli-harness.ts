import { modelGate, type CliOutcome } from '../helpers/cli-harness.js';

/** Runs `model-gate ...` in-process and captures its output. */
export function cli(cwd: string, args: string[], env: Record<string, string | undefined> = {}): Promise<CliOutcome> {
  return modelGate(args, { cwd, env });
}
