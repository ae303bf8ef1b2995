#!/usr/bin/env node
// The README's first command: the release job of examples/release-repo, run
// locally on the embedded default (audit log in the local directory .audit/).
// Each step is the CLI a user would type; it stops at the first failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shellQuote } from './shell-quote.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(root, 'examples', 'release-repo');
const cli = join(root, 'bin', 'model-gate.js');
const auditDir = join(root, '.audit');
// The log's checkpoint key, made once (kept beside the log, outside git): every
// release signs a checkpoint right after its append, so the whole log is
// anchored and `audit verify` can say `intact`.
const keyFile = join(root, '.audit-keys', 'checkpoint.jwk');

if (!existsSync(join(root, 'lib', 'src', 'cli', 'main.js'))) {
  const built = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

function step(title, args, { capture = false } = {}) {
  console.log(`\n$ model-gate ${shellQuote(args)}`);
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: repo,
    stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'],
    encoding: 'utf8',
  });
  if (capture && r.stdout) process.stdout.write(r.stdout);
  if (r.status !== 0) {
    console.error(`\n${title} failed (exit ${r.status}).`);
    process.exit(r.status ?? 1);
  }
  return r.stdout ?? '';
}

const metadataPath = 'models/credit-risk/metadata.json';
step('Recording lineage', [
  'lineage', 'record',
  '--model', 'models/credit-risk/model.pt',
  '--dataset', 'training=data/training',
  '--dataset', 'validation=data/validation/holdout.parquet',
  '--hyperparameters', 'config/hyperparameters.json',
  '--metrics', 'reports/metrics.json',
  '--out', metadataPath,
  '--statement', 'models/credit-risk/metadata.intoto.json',
]);
step('Verifying lineage', ['lineage', 'verify', metadataPath]);

const store = relative(repo, auditDir);
const key = relative(repo, keyFile);
if (!existsSync(keyFile)) {
  mkdirSync(dirname(keyFile), { recursive: true });
  step('Creating the checkpoint key', ['audit', 'keygen', '--out', key]);
}
step('Releasing: the MODEL_RELEASE record the Action writes', [
  'release', '--metadata', metadataPath, '--store', store,
  '--actor', process.env.USER || 'example-user',
  '--checkpoint-key', key,
  '--json',
]);
step('Verifying the audit log', ['audit', 'verify', '--store', store, '--checkpoint-key', key.replace(/\.jwk$/, '.pub.jwk')]);
console.log(`\nDone: lineage in examples/release-repo/${metadataPath}, audit log in .audit/`);
