#!/usr/bin/env node
// Hashing benchmark: our digests next to the reference tools, in the same run,
// on the same files (page cache warm for both). Run after `npm run build`:
//   node bench/hash.mjs
// Sizes (env): MRG_BENCH_FILE_MIB (default 2048), MRG_BENCH_DIR_FILES (10000),
// MRG_BENCH_DIR_MIB (1024), MRG_BENCH_RUNS (2). Generated data lives in
// os.tmpdir() and is deleted at the end.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, rmSync, writeSync, closeSync, writeFileSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const FILE_MIB = Number(process.env.MRG_BENCH_FILE_MIB ?? 2048);
const DIR_FILES = Number(process.env.MRG_BENCH_DIR_FILES ?? 10000);
const DIR_MIB = Number(process.env.MRG_BENCH_DIR_MIB ?? 1024);
const RUNS = Number(process.env.MRG_BENCH_RUNS ?? 2);

const work = mkdtempSync(join(tmpdir(), 'mrg-bench-'));
const cpuModel = (readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [])[1] ?? 'unknown';
console.log(`load average at the start: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`machine: ${cpus().length} cores (nproc ${execFileSync('nproc', { encoding: 'utf8' }).trim()}), ${cpuModel}, node ${process.version}`);

/**
 * Runs a command under /usr/bin/time: wall ms (measured here), CPU seconds
 * (user + system, children included) and peak RSS (KiB) of the process tree's
 * largest member, and stdout. CPU time is reported because the machine is
 * shared: wall time then depends on what else runs, CPU time much less.
 */
function timed(cmd, args, opts = {}) {
  const t = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '@@time %U %S %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  const m = /@@time (\S+) (\S+) (\d+)/.exec(r.stderr ?? '') ?? [];
  return { ms, cpu: Number(m[1]) + Number(m[2]), rssKiB: Number(m[3]), out: r.stdout };
}
const best = (xs) => Math.min(...xs);
const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;
const cpuOf = (runs) => `cpu ${Math.min(...runs.map((r) => r.cpu)).toFixed(2)} s`;
const rate = (bytes, ms) => `${(bytes / 1024 ** 2 / (ms / 1000)).toFixed(0)} MiB/s`;

const bestMs = (runs) => Math.min(...runs.map((r) => r.ms));
const line = (label, runs, bytes) =>
  `  ${label.padEnd(30)}${fmt(bestMs(runs))}  ${rate(bytes, bestMs(runs)).padStart(10)}  ${cpuOf(runs)}`;

try {
  // ── 1. one large file ────────────────────────────────────────────────
  if (FILE_MIB > 0) {
    const big = join(work, 'big.bin');
    const block = randomBytes(16 * 1024 * 1024);
    const fd = openSync(big, 'w');
    for (let left = FILE_MIB * 1024 * 1024; left > 0; left -= block.length) writeSync(fd, block, 0, Math.min(left, block.length));
    closeSync(fd);
    const bytes = FILE_MIB * 1024 * 1024;
    timed('cat', [big], { stdio: ['ignore', 'ignore', 'pipe'] }); // warm the page cache for everyone
    const openssl = [];
    const cli = [];
    let innerMs = Infinity;
    let innerRss = 0;
    for (let i = 0; i < RUNS; i++) {
      const o = timed('openssl', ['dgst', '-sha256', '-r', big]);
      openssl.push(o);
      const c = timed(process.execPath, [join(root, 'bin', 'model-gate.js'), 'hash', big]);
      if (c.out.split(' ')[0] !== `sha256:${o.out.slice(0, 64)}`) throw new Error('file digest differs from openssl');
      cli.push(c);
      // The hashing alone, without process start-up, and its peak RSS from inside.
      const h = JSON.parse(timed(process.execPath, [join(here, 'hash-child.mjs'), big]).out);
      innerMs = Math.min(innerMs, h.ms);
      innerRss = Math.max(innerRss, h.maxRssMiB);
    }
    console.log(`\nlarge file, ${FILE_MIB} MiB (best of ${RUNS}):`);
    console.log(line('openssl dgst -sha256', openssl, bytes));
    console.log(`${line('model-gate hash (process)', cli, bytes)}  ratio ${(bestMs(openssl) / bestMs(cli)).toFixed(2)}x openssl`);
    console.log(`  ${'hashPath() call only'.padEnd(30)}${fmt(innerMs)}  ${rate(bytes, innerMs).padStart(10)}  ratio ${(bestMs(openssl) / innerMs).toFixed(2)}x openssl`);
    console.log(`  peak RSS: model-gate hash ${(Math.max(...cli.map((c) => c.rssKiB)) / 1024).toFixed(0)} MiB (/usr/bin/time), hashPath child ${innerRss.toFixed(0)} MiB (maxRSS)`);
    rmSync(big);
  }

  // ── 2. a directory of many files ─────────────────────────────────────
  if (DIR_FILES > 0) {
    const dir = join(work, 'tree');
    const per = Math.max(1, Math.floor((DIR_MIB * 1024 * 1024) / DIR_FILES));
    const content = randomBytes(per + DIR_FILES);
    for (let i = 0; i < DIR_FILES; i++) {
      const sub = join(dir, `shard-${String(i % 100).padStart(3, '0')}`);
      if (i < 100) mkdirSync(sub, { recursive: true });
      writeFileSync(join(sub, `part ${i}.bin`), content.subarray(i, i + per)); // distinct files, names with a space
    }
    const dirBytes = per * DIR_FILES;
    timed('bash', ['-c', 'cat "$1"/*/* > /dev/null', 'x', dir]);
    const pipeline = (tool) =>
      `cd "$1" && find . -type f -print0 | cut -z -c3- | LC_ALL=C sort -z | xargs -0 -r ${tool} | sha256sum`;
    const viaSha256sum = pipeline('sha256sum --');
    // openssl -r prints "<hex> *<name>"; sed turns it into sha256sum's line so the digest is the same.
    const viaOpenssl = pipeline("openssl dgst -sha256 -r | sed 's/ \\*/  /'");
    const t1 = [];
    const t2 = [];
    const t3 = [];
    for (let i = 0; i < RUNS; i++) {
      const a = timed('bash', ['-c', viaSha256sum, 'x', dir]);
      const b = timed('bash', ['-c', viaOpenssl, 'x', dir]);
      const c = timed(process.execPath, [join(root, 'bin', 'model-gate.js'), 'hash', dir]);
      const want = `sha256:${a.out.slice(0, 64)}`;
      if (`sha256:${b.out.slice(0, 64)}` !== want || c.out.split(' ')[0] !== want) throw new Error('directory digests differ');
      t1.push(a);
      t2.push(b);
      t3.push(c);
    }
    console.log(`\ndirectory, ${DIR_FILES} files, ${(dirBytes / 1024 ** 2).toFixed(0)} MiB (best of ${RUNS}):`);
    console.log(line('one-liner with sha256sum', t1, dirBytes));
    console.log(line('one-liner with openssl dgst', t2, dirBytes));
    console.log(
      `${line('model-gate hash (process)', t3, dirBytes)}  ratio ${(bestMs(t1) / bestMs(t3)).toFixed(2)}x sha256sum, ${(bestMs(t2) / bestMs(t3)).toFixed(2)}x openssl`,
    );
  }
  console.log(`\nload average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
