/**
 * The install path the README gives, done for real: `npm pack` the project
 * (what a release attaches), install that tarball into an empty project
 * outside the clone, and run the installed `model-gate`. Dependencies come
 * from the local npm cache where it has them (--prefer-offline), else from
 * the registry.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import { tempDirs } from '../audit/temp-dir.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string; main: string; bin: Record<string, string> };
const tmp = tempDirs();
let project = '';
let packed: { filename: string; files: { path: string }[] };

jest.setTimeout(240_000);

beforeAll(() => {
  const out = tmp();
  // The suite has just built lib/; the tarball takes it as it is (no second build).
  const json = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', out], { cwd: root, encoding: 'utf8' });
  packed = (JSON.parse(json) as typeof packed[])[0];
  project = join(tmp(), 'team-repo');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), '{ "name": "team-repo", "private": true }\n');
  const install = spawnSync(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--save-dev', join(out, packed.filename)],
    { cwd: project, encoding: 'utf8' },
  );
  if (install.status !== 0) throw new Error(`npm install of the tarball failed:\n${install.stderr}`);
});

const modelGate = (...args: string[]) =>
  spawnSync('npx', ['--offline', '--no-install', 'model-gate', ...args], { cwd: project, encoding: 'utf8' });

test('the package is scoped, keeps the bin name model-gate, and its main exists in the tarball', () => {
  expect(pkg.name).toMatch(/^@[a-z0-9-]+\/model-release-gate$/);
  expect(Object.keys(pkg.bin)).toEqual(['model-gate']);
  const paths = packed.files.map((f) => f.path);
  expect(paths).toEqual(expect.arrayContaining([pkg.main, pkg.bin['model-gate'], 'lib/src/cli/main.js', 'schemas/metadata.schema.json', 'action.yml', 'app.yml']));
  expect(paths.filter((p) => p.startsWith('lib/test/') || p.startsWith('test/') || p.startsWith('src/'))).toEqual([]);
});

test('npx model-gate --version in the installed project prints the version', () => {
  const r = modelGate('--version');
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe(`${pkg.version}\n`);
  expect(r.status).toBe(0);
});

test('npx model-gate hash in the installed project prints what sha256sum prints', () => {
  const bytes = Buffer.from('weights of a model, for the install test\n');
  writeFileSync(join(project, 'model.bin'), bytes);
  const r = modelGate('hash', 'model.bin');
  expect(r.status).toBe(0);
  expect(r.stdout).toBe(`sha256:${createHash('sha256').update(bytes).digest('hex')}  model.bin\n`);
});

test('the installed package\'s main loads: the capabilities and GateError', () => {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e',
    `const m = await import(${JSON.stringify(pkg.name)}); console.log(typeof m.GateError, typeof m.lineage.hashPath, typeof m.audit.openStore, typeof m.createApp)`],
  { cwd: project, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.stdout.trim()).toBe('function function function function');
});

/** The README's quick-start block, as a user would paste it. */
function readmeQuickStart(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Quick start (CLI)'));
  const m = /```sh\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error('README.md: no sh block under "## Quick start (CLI)"');
  return m[1];
}

test('the README\'s quick start runs as written in the installed project, outside the clone', () => {
  const work = join(project, 'models-repo');
  cpSync(join(root, 'examples', 'release-repo'), work, { recursive: true, filter: (src) => !/metadata(\.intoto)?\.json$|\.audit/.test(src) });
  // The installed package is one folder up; npx finds it there as it would in the team's repository.
  const r = spawnSync('bash', ['-euo', 'pipefail', '-c', readmeQuickStart()], {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, npm_config_offline: 'true' },
    timeout: 180_000,
  });
  expect(r.stderr).not.toMatch(/error|not found/i);
  expect(r.status).toBe(0);
  expect(r.stdout).toContain(`${pkg.version}\n`);
  expect(r.stdout).toMatch(/OK: every digest in models\/credit-risk\/metadata\.json matches/);
  expect(r.stdout).toMatch(/appended record 0 sha256:[0-9a-f]{64}/);
  expect(existsSync(join(work, 'report.html'))).toBe(true);
  expect(readFileSync(join(work, 'report.html'), 'utf8')).toContain('models/credit-risk/model.pt');
});
