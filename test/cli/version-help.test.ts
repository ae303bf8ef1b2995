import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/program.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), env: {}, cwd: root, stderrIsTty: false });
  return { code, out, err };
}

test('--version prints the package version and exits 0', async () => {
  for (const flag of ['--version', '-V']) {
    const r = await run([flag]);
    expect(r).toEqual({ code: 0, out: `${version}\n`, err: '' });
  }
});

test('`help lineage record` prints that command\'s help, not its parent\'s', async () => {
  const r = await run(['help', 'lineage', 'record']);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/^Usage: model-gate lineage record /);
  expect(r.out).toContain('Example:\n  model-gate lineage record');
});

test('`help audit verify` and `help lineage` each print their own command\'s help', async () => {
  expect((await run(['help', 'audit', 'verify'])).out).toMatch(/^Usage: model-gate audit verify /);
  expect((await run(['help', 'lineage'])).out).toMatch(/^Usage: model-gate lineage /);
});
