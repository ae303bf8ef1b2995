import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { COMMAND_FILES, commandFilesFor } from '../../src/cli/commands/index.js';
import { runCli } from '../../src/cli/program.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = join(root, 'bin', 'model-gate.js');

/** Packages whose loading costs tens of ms each: only the commands that use them may load them. */
const HEAVY = ['@aws-sdk/', '@smithy/', 'probot', '@octokit/', '@actions/', 'ajv', 'ajv-formats', 'jose', 'yaml', 'hyparquet', 'picomatch', 'canonicalize'];

let work: string;
let hooks: string;
let runs = 0;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mrg-startup-'));
  // A module-resolution hook that notes every module the process resolves, in
  // a file written synchronously: the hooks run on a thread of their own, and
  // what that thread wrote to stderr could be lost when a short command exited.
  writeFileSync(
    join(work, 'hooks.mjs'),
    "import { appendFileSync } from 'node:fs';\n" +
      "export async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(process.env.MRG_LOAD_LOG, `@@load ${r.url}\\n`); return r; }\n",
  );
  hooks = join(work, 'register.mjs');
  writeFileSync(hooks, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(work, 'hooks.mjs')).href)});\n`);
  writeFileSync(join(work, 'small.bin'), 'weights');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The modules `model-gate ARGS` loads: packages by name, ours by path under lib/src. */
function loaded(args: string[]): { packages: Set<string>; ours: Set<string>; builtins: Set<string>; status: number | null } {
  const log = join(work, `loads-${++runs}.txt`);
  writeFileSync(log, '');
  const r = spawnSync(process.execPath, ['--import', hooks, bin, ...args], { cwd: work, encoding: 'utf8', env: { ...process.env, MRG_LOAD_LOG: log } });
  const packages = new Set<string>();
  const ours = new Set<string>();
  const builtins = new Set<string>();
  for (const m of readFileSync(log, 'utf8').matchAll(/^@@load (\S+)$/gm)) {
    const url = m[1]!;
    if (url.startsWith('node:')) builtins.add(url);
    const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (pkg) packages.add(pkg[1]!);
    else if (url.includes('/lib/src/')) ours.add(url.split('/lib/src/')[1]!);
  }
  // Absence is what these tests assert: a hook that saw nothing would prove nothing.
  if (!ours.has('cli/main.js')) throw new Error(`the load hook did not see cli/main.js load; stderr: ${r.stderr}`);
  return { packages, ours, builtins, status: r.status };
}

const heavyIn = (packages: Set<string>): string[] =>
  [...packages].filter((p) => HEAVY.some((h) => (h.endsWith('/') ? p.startsWith(h) : p === h)));

describe('start-up loads only what the command runs needs (lazy-loading rule, commands/index.ts)', () => {
  it('`model-gate hash FILE` loads no package at all (not even the parser) and no other capability', () => {
    const r = loaded(['hash', 'small.bin', '--json']);
    expect(r.status).toBe(0);
    expect([...r.packages]).toEqual([]);
    const others = [...r.ours].filter((p) => /^(audit|approval|report|deploy|app|action)\//.test(p));
    expect(others).toEqual([]);
    expect([...r.ours].filter((p) => p.startsWith('cli/commands/') || p === 'cli/program.js')).toEqual([]);
  });

  it('`model-gate hash FILE` and `hash DIR` load neither the progress bar, the error report, the sharded digest nor the fingerprint scanners', () => {
    const onDemand = (ours: Set<string>) =>
      [...ours].filter((p) => p === 'lineage/progress.js' || p === 'cli/report-error.js' || p === 'core/shard-digest.js' || p.startsWith('lineage/fingerprint/'));
    const file = loaded(['hash', 'small.bin']);
    expect(file.status).toBe(0);
    expect(onDemand(file.ours)).toEqual([]);
    expect(file.ours.has('lineage/hash-directory.js')).toBe(false);
    // A directory of its own: the load log beside it grows while the command runs.
    mkdirSync(join(work, 'tree'), { recursive: true });
    writeFileSync(join(work, 'tree', 'a.bin'), 'a');
    writeFileSync(join(work, 'tree', 'b.csv'), 'x,y\n1,2\n');
    const dir = loaded(['hash', 'tree']);
    expect(dir.status).toBe(0);
    expect(dir.ours.has('lineage/hash-directory.js')).toBe(true);
    expect(onDemand(dir.ours)).toEqual([]);
    // Each loads once it is used: a file that cannot be read needs the error report.
    expect(loaded(['hash', 'missing.bin']).ours.has('cli/report-error.js')).toBe(true);
  });

  it('`model-gate hash` with a flag only the parser knows loads the parser and only the lineage command file', () => {
    const r = loaded(['hash', '--help']);
    expect(r.status).toBe(0);
    expect(heavyIn(r.packages)).toEqual([]);
    expect(r.packages.has('commander')).toBe(true);
    const commandFiles = [...r.ours].filter((p) => p.startsWith('cli/commands/'));
    expect(commandFiles.sort()).toEqual(['cli/commands/index.js', 'cli/commands/lineage.js']);
  });

  it('`model-gate --version` loads neither the parser nor any command, and prints what the parser prints', async () => {
    const r = loaded(['--version']);
    expect(r.status).toBe(0);
    expect([...r.packages]).toEqual([]);
    expect([...r.ours].sort()).toEqual(['cli/io.js', 'cli/main.js', 'cli/version.js']);
    const fast = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' }).stdout;
    let parsed = '';
    const code = await runCli(['--version'], { stdout: (t) => void (parsed += t), stderr: () => {}, env: {}, cwd: root, stderrIsTty: false });
    expect(code).toBe(0);
    expect(fast).toBe(parsed);
    expect(fast).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('`model-gate --help` loads every command file but no capability behind them, nor node:crypto', () => {
    const r = loaded(['--help']);
    expect(r.status).toBe(0);
    expect([...r.ours].filter((p) => p.startsWith('cli/commands/')).length).toBe(COMMAND_FILES.length + 3); // index, audit-init, audit-stream
    // Only what a command's options and help name: the checkpoint key's variable, the dataset spec parser.
    const capability = [...r.ours].filter((p) => /^(audit|approval|report|deploy|app|action|github)\//.test(p) && p !== 'audit/checkpoint-key-env.js');
    expect(capability).toEqual([]);
    expect([...r.ours].filter((p) => p.startsWith('lineage/')).sort()).toEqual(['lineage/dataset-spec.js', 'lineage/metadata-types.js', 'lineage/progress.js']);
    expect([...r.packages].sort()).toEqual(['commander']);
    expect(r.builtins.has('node:crypto')).toBe(false);
  });

  it('each command file lists exactly the top-level commands it registers', async () => {
    for (const f of COMMAND_FILES) {
      const program = new Command('model-gate');
      (await f.load()).register(program, { io: { stdout: () => {}, stderr: () => {}, env: {}, cwd: root, stderrIsTty: false }, exitCode: 0 });
      expect(program.commands.map((c) => c.name()).sort()).toEqual([...f.names].sort());
    }
  });

  it('picks the command file by the first word; every file for help, an unknown word or none', () => {
    const names = (argv: string[] | undefined) => commandFilesFor(argv).map((f) => f.names[0]);
    expect(names(['hash', 'x'])).toEqual(['hash']);
    expect(names(['lineage', 'verify'])).toEqual(['hash']);
    expect(names(['policy', 'check', 'p.yml'])).toEqual(['simulate']);
    expect(names(['--version'])).toEqual([]);
    expect(names(['-V'])).toEqual([]);
    const all = COMMAND_FILES.map((f) => f.names[0]);
    for (const argv of [[], ['--help'], ['help', 'audit'], ['hsah'], ['--version', 'hash'], undefined]) expect(names(argv)).toEqual(all);
  });
});
