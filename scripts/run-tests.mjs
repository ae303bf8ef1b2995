#!/usr/bin/env node
// The whole test suite, as the README and .ci/run give it: build, start the
// real services the integration tests need (a single-node Ceph RGW for S3 with
// Object Lock), run jest, stop the services, exit with jest's code.
// Extra arguments go to jest (e.g. `npm test -- lib/test/audit`).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, opts = {}) =>
  spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });

const build = run('npx', ['tsc', '-p', 'tsconfig.json']);
if (build.status !== 0) process.exit(build.status ?? 1);

// The HTML report's browser test needs Debian's Chromium (installed once when missing).
const chromium = run('bash', [join(root, 'scripts', 'ensure-chromium.sh')]);
if (chromium.status !== 0) console.error('scripts/ensure-chromium.sh failed: the HTML report browser test will fail; see above');

// The transparency-log tests check our artefacts with Go's golang.org/x/mod/sumdb
// (Debian's golang-go and golang-golang-x-mod-dev, installed once when missing).
const tlogCheck = run('bash', [join(root, 'scripts', 'build-tlog-check.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
if (tlogCheck.status !== 0) console.error('scripts/build-tlog-check.sh failed: the Go transparency-log checker tests will fail; see above');

const env = { ...process.env };
const s3Script = join(root, 'scripts', 's3-server.sh');
const wantS3 = existsSync(s3Script) && process.env.MRG_TEST_S3 !== 'off';
if (wantS3 && !env.MRG_TEST_S3_ENDPOINT) {
  const started = spawnSync('bash', [s3Script, 'start'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (started.status !== 0) {
    console.error('could not start the test S3 server (scripts/s3-server.sh start); see above');
    process.exit(started.status ?? 1);
  }
  for (const line of started.stdout.split('\n')) {
    const m = /^(MRG_TEST_S3_[A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2];
  }
}

let code = 1;
try {
  const jest = run(
    process.execPath,
    ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning',
      join(root, 'node_modules', 'jest', 'bin', 'jest.js'), ...process.argv.slice(2)],
    { env },
  );
  code = jest.status ?? 1;
} finally {
  if (wantS3 && !process.env.MRG_TEST_S3_ENDPOINT) run('bash', [s3Script, 'stop']);
}
process.exit(code);
