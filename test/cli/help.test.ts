import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { buildProgram, runCli } from '../../src/cli/program.js';
import { commandPath } from '../../src/cli/help-examples.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t), env: {}, cwd: root, stderrIsTty: false };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

async function leaves(): Promise<string[]> {
  const { io } = capture();
  const program = await buildProgram({ io, exitCode: 0 });
  const found: string[] = [];
  const walk = (c: Command): void => {
    if (c.name() === 'help') return;
    if (c.commands.length === 0) found.push(commandPath(c));
    c.commands.forEach(walk);
  };
  program.commands.forEach(walk);
  return found;
}

const LEAVES = await leaves();

describe('CLI help and mistakes', () => {
  it.each(LEAVES)('`model-gate %s --help` shows an example and exits 0', async (path) => {
    const c = capture();
    expect(await runCli([...path.split(' '), '--help'], c.io)).toBe(0);
    expect(c.out()).toContain(`Example:\n  model-gate ${path}`);
  });

  it('suggests the closest command for a mistyped one, with exit 2', async () => {
    const c = capture();
    expect(await runCli(['audit', 'verfy', '--store', '.audit'], c.io)).toBe(2);
    expect(c.err()).toMatch(/Did you mean verify\?/);
  });

  it('suggests the closest flag for a mistyped one, with exit 2', async () => {
    const c = capture();
    expect(await runCli(['audit', 'verify', '--stor', '.audit'], c.io)).toBe(2);
    expect(c.err()).toMatch(/Did you mean --store\?/);
  });

  it('the committed CLI and policy references equal what the code generates', () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'gen-docs.mjs'), '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
