/**
 * docs/auditing.md, run as written: every `<!-- procedure: NAME -->` block is
 * extracted from the page and run with bash against a log the real CLI wrote
 * (only sha256sum, jq, openssl, xxd, ssh-keygen and the Go checker built on
 * Go's golang.org/x/mod/sumdb), and must pass; then against a tampered copy,
 * where it must fail. The page and the test cannot drift apart.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalJsonBytes } from '../../../src/core/canonical-json.js';
import { sha256 } from '../../../src/core/digest.js';
import { checkpointKey, entryKey } from '../../../src/audit/store.js';
import { cli } from '../cli-harness.js';
import { tempDirs } from '../temp-dir.js';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..');
const tmp = tempDirs();
let tmpHome = '/nonexistent';
const LOG = 'acme/fraud-model';
const N = 260;

function procedures(): Map<string, string> {
  const page = readFileSync(join(root, 'docs', 'auditing.md'), 'utf8');
  const out = new Map<string, string>();
  for (const m of page.matchAll(/<!-- procedure: ([a-z-]+) -->\n```sh\n([\s\S]*?)```/g)) out.set(m[1], m[2]);
  return out;
}

const run = (script: string, env: Record<string, string>) =>
  spawnSync('bash', ['--noprofile', '--norc', '-c', script], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpHome, ...env }, encoding: 'utf8' });

function edit(file: string, from: string, to: string): void {
  chmodSync(file, 0o644);
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`${from} not in ${file}`);
  writeFileSync(file, text.replace(from, to));
}

let dir = '';
let env: Record<string, string> = {};
const steps = procedures();

beforeAll(async () => {
  dir = tmp();
  tmpHome = tmp();
  const built = spawnSync('bash', [join(root, 'scripts', 'build-tlog-check.sh')], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(built.stderr);
  expect((await cli(dir, ['audit', 'keygen', '--out', 'key.jwk'])).code).toBe(0);
  const append = async (args: string[]) => {
    const r = await cli(dir, ['audit', 'append', '--store', 'log', '--log', LOG, '--actor', 'alice', '--json', ...args]);
    if (r.code !== 0) throw new Error(r.stderr);
    return r.json() as { seq: number };
  };
  for (let i = 0; i < 3; i++) await append(['--event-type', 'MODEL_RELEASE', '--action', `release ${i}`]);
  // An approval as the App records it: the statement, its SSH signature and the key's fingerprint.
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bob', '-f', join(dir, 'bob')]);
  const statement = { v: 1, type: 'model-release-gate/approval', repository: 'acme/fraud-model', pull_request: 7, head_sha: 'a'.repeat(40), role: 'risk/approver', approver: 'bob', artifacts: [{ path: 'models/m.onnx', digest: sha256('m') }] };
  writeFileSync(join(dir, 'statement'), canonicalJsonBytes(statement));
  execFileSync('ssh-keygen', ['-q', '-Y', 'sign', '-f', join(dir, 'bob'), '-n', 'model-release-gate@v1', join(dir, 'statement')]);
  const fp = execFileSync('ssh-keygen', ['-lf', join(dir, 'bob.pub')], { encoding: 'utf8' }).split(' ')[1];
  writeFileSync(join(dir, 'details.json'), JSON.stringify({ statement, signature: readFileSync(join(dir, 'statement.sig'), 'utf8'), key_fingerprint: fp }));
  const approval = await append(['--event-type', 'APPROVAL_VERIFIED', '--action', 'approve', '--subject', sha256(canonicalJsonBytes(statement)), '--details', '@details.json']);
  for (let i = 4; i < N - 1; i++) await append(['--event-type', 'MODEL_RELEASE', '--action', `release ${i}`]);
  await append(['--event-type', 'MODEL_RELEASE', '--action', `release ${N - 1}`, '--checkpoint-key', 'key.jwk']);
  const vkey = (await cli(dir, ['audit', 'vkey', '--key', 'key.pub.jwk', '--log', LOG])).stdout.trim();
  const p = await cli(dir, ['audit', 'prove', '--store', 'log', '--seq', '2', '--key', vkey, '--out', 'r2.tlog-proof', '--record-out', 'r2.json']);
  expect(p.code).toBe(0);
  env = {
    STORE: join(dir, 'log'), SIZE: String(N), PUBJWK: join(dir, 'key.pub.jwk'), VKEY: vkey, CHECKER: built.stdout.trim(),
    PROOF: join(dir, 'r2.tlog-proof'), RECORD: join(dir, 'r2.json'), SEQ: String(approval.seq),
  };
}, 600_000);

describe('docs/auditing.md procedures, with standard tools only', () => {
  it('the page has the five procedures', () => {
    expect([...steps.keys()]).toEqual(['chain', 'jws', 'tree', 'receipt', 'approval']);
  });

  it.each(['chain', 'jws', 'tree', 'receipt', 'approval'])('%s: passes on the log the CLI wrote', (name) => {
    const r = run(steps.get(name)!, env);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  const tampered = (): string => {
    const copy = join(tmp(), 'log');
    cpSync(env.STORE, copy, { recursive: true });
    return copy;
  };

  it('chain: fails for a record edited in the middle, and for one removed', () => {
    const a = tampered();
    edit(join(a, entryKey(10)), 'release 10', 'release X');
    expect(run(steps.get('chain')!, { ...env, STORE: a }).status).not.toBe(0);
    const b = tampered();
    spawnSync('rm', ['-f', join(b, entryKey(20))]);
    expect(run(steps.get('chain')!, { ...env, STORE: b }).stdout).toMatch(/record 20 is missing/);
  });

  it('jws: fails for an edit of the last record, and for a checkpoint signed by another key', async () => {
    const a = tampered();
    edit(join(a, entryKey(N - 1)), `release ${N - 1}`, 'release X');
    expect(run(steps.get('jws')!, { ...env, STORE: a }).stdout).toMatch(/head is not record/);
    const other = tmp();
    expect((await cli(other, ['audit', 'keygen', '--out', 'k.jwk'])).code).toBe(0);
    expect(run(steps.get('jws')!, { ...env, PUBJWK: join(other, 'k.pub.jwk') }).status).not.toBe(0);
  });

  it('tree: fails for an altered tile, an altered bundle, and a note signed by another key', async () => {
    const a = tampered();
    const tile = join(a, 'tile', '0', '000');
    const t = readFileSync(tile);
    t[64] ^= 1;
    chmodSync(tile, 0o644);
    writeFileSync(tile, t);
    expect(run(steps.get('tree')!, { ...env, STORE: a }).status).not.toBe(0);
    const b = tampered();
    edit(join(b, 'tile', 'entries', '000'), 'release 5', 'release X');
    expect(run(steps.get('tree')!, { ...env, STORE: b }).stderr).toMatch(/bundle/);
    const other = tmp();
    expect((await cli(other, ['audit', 'keygen', '--out', 'k.jwk'])).code).toBe(0);
    const otherVkey = (await cli(other, ['audit', 'vkey', '--key', 'k.pub.jwk', '--log', LOG])).stdout.trim();
    expect(run(steps.get('tree')!, { ...env, VKEY: otherVkey }).status).not.toBe(0);
    expect(readFileSync(join(env.STORE, checkpointKey(N)), 'utf8')).toMatch(/^ey/);
  });

  it('receipt: fails for another record\'s bytes', () => {
    const other = join(tmp(), 'r3.json');
    writeFileSync(other, readFileSync(join(env.STORE, entryKey(3))));
    expect(run(steps.get('receipt')!, { ...env, RECORD: other }).status).not.toBe(0);
  });

  it('approval: fails for an edited statement, and for a record that is not an approval', () => {
    const a = tampered();
    edit(join(a, entryKey(Number(env.SEQ))), '"pull_request":7', '"pull_request":8');
    expect(run(steps.get('approval')!, { ...env, STORE: a }).stdout).toMatch(/not the signed one/);
    expect(run(steps.get('approval')!, { ...env, SEQ: '0' }).stdout).toMatch(/not an approval/);
  });
});
