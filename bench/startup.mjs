#!/usr/bin/env node
// Start-up: how long a CLI command and the Action take before doing anything,
// against `node -e 0` in the same rounds. Run after `npm run build` (the CLI)
// and `npm run package` (the Action bundle, dist/; restore it afterwards with
// `git checkout -- dist && git clean -fdq dist` when the lead has not asked
// for a rebuilt dist):
//   node bench/startup.mjs
// MRG_BENCH_STARTUP_RUNS (default 21) rounds, each running every contender
// once, in turn; figures are medians. Whole processes, to their exit.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtMs, floor, goal, inTurn, loadLine, machineLine, runProcess } from './harness/measure.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const RUNS = Number(process.env.MRG_BENCH_STARTUP_RUNS ?? 21);
const bin = join(root, 'bin', 'model-gate.js');
const bundle = join(root, 'dist', 'index.js');

/** Bytes of every file under a directory. */
function treeBytes(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? treeBytes(p) : statSync(p).size;
  }
  return n;
}

console.log(machineLine());
const work = mkdtempSync(join(tmpdir(), 'mrg-bench-startup-'));
try {
  const small = join(work, 'small.bin');
  writeFileSync(small, randomBytes(4096));
  // The floor for any ES-module entry point: one that only prints a line.
  const oneLine = join(work, 'one-line.mjs');
  writeFileSync(oneLine, "console.log('x');\n");
  // The floor for hashing a file from an ES module: node:crypto's own
  // start (OpenSSL's initialisation) is most of the gap to `node -e 0`.
  const hashLine = join(work, 'hash-floor.mjs');
  writeFileSync(
    hashLine,
    "import { createHash } from 'node:crypto';\nimport { readFileSync } from 'node:fs';\n" +
      "process.stdout.write(`sha256:${createHash('sha256').update(readFileSync(process.argv[2])).digest('hex')}  ${process.argv[2]}\\n`);\n",
  );
  const node = process.execPath;
  const clean = { PATH: process.env.PATH, HOME: process.env.HOME ?? work };
  const contenders = (env) => {
    const list = [
      { name: 'node -e 0', run: () => runProcess(node, ['-e', '0'], { env, expectStatus: 0 }) },
      { name: 'node one-line.mjs (floor for ESM)', run: () => runProcess(node, [oneLine], { env, expectStatus: 0 }) },
      { name: 'hash-floor.mjs SMALLFILE (node:crypto)', run: () => runProcess(node, [hashLine, small], { env, expectStatus: 0 }) },
      { name: 'model-gate --version', run: () => runProcess(node, [bin, '--version'], { env, expectStatus: 0 }) },
      { name: 'model-gate hash SMALLFILE', run: () => runProcess(node, [bin, 'hash', small], { env, expectStatus: 0 }) },
      { name: 'model-gate --help', run: () => runProcess(node, [bin, '--help'], { env, expectStatus: 0 }) },
    ];
    if (existsSync(bundle)) {
      // The Action with no inputs at all: it must stop at once with an input
      // error (its first output), without GitHub's environment to lean on.
      list.push({
        name: 'Action dist/index.js, input error',
        run: () => {
          const r = runProcess(node, [bundle], { env, cwd: work });
          if (r.status === 0 || !r.stdout.startsWith('::error::')) throw new Error(`the Action did not stop at its input error: ${r.stdout}${r.stderr}`);
          return r;
        },
      });
    }
    return list;
  };
  const report = (res) => {
    const ref = res.get('node -e 0');
    for (const [name, r] of res) {
      const ratio = name === 'node -e 0' ? '' : `  ${(r.ms / ref.ms).toFixed(2)}x node -e 0`;
      console.log(`  ${name.padEnd(36)}${fmtMs(r.ms).padStart(10)}   cpu (mean) ${fmtMs(r.cpuMean * 1000).padStart(9)}${ratio}`);
    }
    return ref;
  };

  // Goals in a clean environment (PATH and HOME only), as on a CI runner or
  // a user's shell; then the same in this process's environment, which may
  // hold variables that every node process pays for at start (for example
  // NODE_EXTRA_CA_CERTS, read and parsed before any script runs).
  const res = inTurn(contenders(clean), RUNS, { warmup: 2 });
  console.log(`\nstart-up in a clean environment, median of ${RUNS} rounds in turn (wall to exit; CPU = user + system, mean of the rounds):`);
  const ref = report(res);
  console.log('');
  goal('model-gate --version / node -e 0 (wall)', res.get('model-gate --version').ms / ref.ms, { atMost: 1.5 });
  goal('model-gate hash SMALLFILE / node -e 0 (wall)', res.get('model-gate hash SMALLFILE').ms / ref.ms, { atMost: 1.5 });
  const floorMs = res.get('hash-floor.mjs SMALLFILE (node:crypto)').ms;
  floor(
    'model-gate hash SMALLFILE',
    `a one-file ES module hashing it with node:crypto is ${(floorMs / ref.ms).toFixed(2)}x node -e 0; ours is ${(res.get('model-gate hash SMALLFILE').ms / floorMs).toFixed(2)}x that floor`,
  );
  if (existsSync(bundle)) {
    goal('Action bundle to first output / node -e 0 (wall)', res.get('Action dist/index.js, input error').ms / ref.ms, { atMost: 1.5 });
    const bytes = treeBytes(join(root, 'dist'));
    console.log(`dist/: ${(bytes / 1e6).toFixed(2)} MB in all (${bytes} bytes; built ${statSync(bundle).mtime.toISOString()})`);
    goal('dist/ total size, MB', bytes / 1e6, { atMost: 3 });
  } else {
    console.log('no dist/index.js: run `npm run package` to measure the Action');
  }
  const inherited = Object.keys(process.env).filter((k) => /^NODE_/.test(k));
  const res2 = inTurn(contenders(process.env), RUNS, { warmup: 1 });
  console.log(`\nthe same in this process's environment (NODE_* variables: ${inherited.join(', ') || 'none'}):`);
  report(res2);
  console.log(`load average at the end: ${loadLine()}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
