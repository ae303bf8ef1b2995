import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as core from '@actions/core';
import { errorCommand, inputFromEnv } from '../../src/action/early-error.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** What `fn` writes to stdout, and the exit code it leaves. */
function captured(fn: () => void): { out: string; exitCode: typeof process.exitCode } {
  const write = process.stdout.write;
  const before = process.exitCode;
  let out = '';
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  try {
    fn();
    return { out, exitCode: process.exitCode };
  } finally {
    process.stdout.write = write;
    process.exitCode = before;
  }
}

describe('the Action fails on bad inputs before @actions/core loads, printing what core would', () => {
  it('property: errorCommand(m) is byte for byte what core.setFailed(m) writes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom('100% done\r\nnext', '%0A literal', '::error::x', 'a\nb\rc%')), (m) => {
        expect(errorCommand(m)).toBe(captured(() => core.setFailed(m)).out);
      }),
    );
  });

  it('property: inputFromEnv reads an input as core.getInput does', () => {
    fc.assert(
      fc.property(fc.constantFrom('model', 'audit-store', 'working-directory', 'my input', 'Mixed Case'), fc.option(fc.string()), (name, value) => {
        const key = `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
        const saved = process.env[key];
        if (value === null) delete process.env[key];
        else process.env[key] = value;
        try {
          expect(inputFromEnv(process.env)(name)).toBe(core.getInput(name));
        } finally {
          if (saved === undefined) delete process.env[key];
          else process.env[key] = saved;
        }
      }),
    );
  });

  it.each([
    ['no model', {}],
    ['an unknown mode', { INPUT_MODE: 'deploy', INPUT_MODEL: 'm.pt' }],
    ['a malformed dataset line', { INPUT_MODEL: 'm.pt', INPUT_DATASETS: 'nonsense' }],
  ])('%s: the entry point prints the same as main.run() and exits the same', (_what, inputs) => {
    const env = { PATH: process.env.PATH, ...inputs };
    const entry = spawnSync(process.execPath, [join(root, 'lib', 'src', 'action', 'index.js')], { env, encoding: 'utf8' });
    const viaCore = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `const { run } = await import(${JSON.stringify(pathToFileURL(join(root, 'lib', 'src', 'action', 'main.js')).href)}); await run();`],
      { env, encoding: 'utf8' },
    );
    expect(entry.stdout).toMatch(/^::error::/);
    expect(entry.stdout).toBe(viaCore.stdout);
    expect(entry.status).toBe(viaCore.status);
    expect(entry.status).toBe(2);
  });
});
