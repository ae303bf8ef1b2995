#!/usr/bin/env node
// The whole test suite, as the README and .ci/run give it: build, start the
// real services the integration tests need (a single-node Ceph RGW for S3 with
// Object Lock; librdkafka's mock Kafka cluster), run jest, stop the services,
// exit with jest's code. MRG_TEST_S3=off / MRG_TEST_KAFKA=off skip one.
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

/**
 * Starts a service through its script unless it is switched off or its
 * address is already in the environment; copies the script's `PREFIX...=value`
 * lines into the tests' environment. Returns whether we must stop it.
 */
function startService(script, what, switchVar, presentVar, prefix) {
  if (!existsSync(script) || process.env[switchVar] === 'off' || env[presentVar]) return false;
  const started = spawnSync('bash', [script, 'start'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (started.status !== 0) {
    console.error(`could not start ${what} (${script} start); see above`);
    stopServices();
    process.exit(started.status ?? 1);
  }
  for (const line of started.stdout.split('\n')) {
    const m = new RegExp(`^(${prefix}[A-Z_]+)=(.*)$`).exec(line.trim());
    if (m) env[m[1]] = m[2];
  }
  return true;
}

const started = [];
function stopServices() {
  for (const script of started.splice(0).reverse()) run('bash', [script, 'stop']);
}

const s3Script = join(root, 'scripts', 's3-server.sh');
if (startService(s3Script, 'the test S3 server', 'MRG_TEST_S3', 'MRG_TEST_S3_ENDPOINT', 'MRG_TEST_S3_')) started.push(s3Script);
const kafkaScript = join(root, 'scripts', 'kafka-server.sh');
if (startService(kafkaScript, 'the test Kafka cluster', 'MRG_TEST_KAFKA', 'MRG_TEST_KAFKA_BROKERS', 'MRG_TEST_KAFKA_')) started.push(kafkaScript);

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
  stopServices();
}
process.exit(code);
