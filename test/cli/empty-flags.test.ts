/**
 * `--actor "$USER"` where USER is not set reaches the CLI as `--actor ""`:
 * the error names the flag (not an internal field) and says why it is empty.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli/program.js';
import { tempDirs } from '../helpers/temp-dirs.js';

const newDir = tempDirs('mrg-empty-');

async function run(argv: string[], cwd: string): Promise<{ code: number; err: string }> {
  let err = '';
  const code = await runCli(argv, { stdout: () => {}, stderr: (t) => void (err += t), env: {}, cwd, stderrIsTty: false });
  return { code, err };
}

test.each(['--actor', '--action', '--event-type'])('audit append %s "" names the flag, exit 2, writes nothing', async (flag) => {
  const dir = newDir();
  const args: Record<string, string> = { '--event-type': 'MODEL_RELEASE', '--actor': 'alice', '--action': 'release' };
  args[flag] = '';
  const r = await run(['audit', 'append', '--store', join(dir, 'audit'), ...Object.entries(args).flat()], dir);
  expect(r.code).toBe(2);
  expect(r.err).toContain(`model-gate: ${flag} is empty`);
  expect(r.err).toMatch(/shell variable that is not set expands to nothing/);
  expect(readdirSync(dir)).toEqual([]);
});
