import { runCli } from '../../src/cli/program.js';

/** Runs `model-gate ...` in-process and captures its output. */
export async function cli(cwd: string, args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; stdout: string; stderr: string; json: () => any }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env,
    cwd,
    stderrIsTty: false,
  });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}
