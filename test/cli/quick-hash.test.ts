import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { CliIo } from '../../src/cli/io.js';
import { quickHash, quickHashArgs } from '../../src/cli/quick-hash.js';
import { runCli } from '../../src/cli/program.js';
import { tempDir } from '../lineage/helpers.js';

/** Runs one front on argv in-process and keeps what it printed. */
async function outcome(
  front: (argv: string[], io: CliIo) => Promise<number> | undefined,
  argv: string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string } | undefined> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: { PATH: process.env.PATH }, cwd, stderrIsTty: false };
  const pending = front(argv, io);
  if (pending === undefined) return undefined;
  return { code: await pending, stdout, stderr };
}

describe('`model-gate hash` without the parser (quick-hash.ts)', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => {
    ({ dir, cleanup } = tempDir());
    writeFileSync(join(dir, 'model.bin'), 'weights');
    writeFileSync(join(dir, 'rows.csv'), 'a,b\n1,2\n3,4\n');
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'x.jsonl'), '{"a":1}\n');
    writeFileSync(join(dir, 'help'), 'a file named like a command');
    symlinkSync('model.bin', join(dir, 'link'));
  });
  afterAll(() => cleanup());

  const paths = ['model.bin', 'rows.csv', 'data', 'link', 'missing.bin', 'help', ''];
  const flags = ['--json', '-q', '--quiet', '--follow-symlinks', '--fingerprint', '--shards', '--shards-only'];

  it('gives the same output and exit code as the parser for every command line it takes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...paths), { minLength: 1, maxLength: 3 }),
        fc.array(fc.constantFrom(...flags), { maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 3 }),
        async (ps, fs, at) => {
          // Flags may stand anywhere among the paths, as the parser allows.
          const rest = [...ps];
          fs.forEach((f, i) => rest.splice((at[i] ?? 0) % (rest.length + 1), 0, f));
          const argv = ['hash', ...rest];
          const quick = await outcome(quickHash, argv, dir);
          expect(quick).toBeDefined();
          expect(quick).toEqual(await outcome(runCli, argv, dir));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('leaves to the parser what only the parser can explain: help, unknown or combined flags, `--`, no path', () => {
    for (const argv of [
      ['hash'],
      ['hash', '--help'],
      ['hash', '-h'],
      ['hash', '--jsn', 'model.bin'],
      ['hash', '-qj', 'model.bin'],
      ['hash', '--', '-model.bin'],
      ['hash', '-', 'model.bin'],
      ['hash', '--json=yes', 'model.bin'],
      ['lineage', 'verify'],
      ['--version'],
    ]) {
      expect([argv, quickHashArgs(argv)]).toEqual([argv, undefined]);
    }
    expect(quickHashArgs(['hash', 'a', '--json', 'b', '-q'])).toEqual({ paths: ['a', 'b'], flags: { json: true, quiet: true } });
  });

  it('reports a bad path as the parser does: the message, exit 2, nothing on stdout', async () => {
    const r = await outcome(quickHash, ['hash', 'model.bin', 'missing.bin'], dir);
    expect(r?.code).toBe(2);
    expect(r?.stderr).toMatch(/^model-gate: missing\.bin: no such file or directory\n/);
    expect(r?.stdout).toMatch(/^sha256:[0-9a-f]{64} {2}model\.bin\n$/);
  });
});
