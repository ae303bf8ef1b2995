#!/usr/bin/env node
// Hashing: `model-gate hash` against OpenSSL on the same bytes, in the same
// rounds (whole processes, page cache warm for everyone). Run after
// `npm run build`:
//   node bench/hash.mjs
// Sizes (env): MRG_BENCH_FILE_MIB (default 2048; 0 skips), MRG_BENCH_DIR_FILES
// (10000; 0 skips), MRG_BENCH_DIR_MIB (1024), MRG_BENCH_SHARD_MIB (4096; 0
// skips), MRG_BENCH_RUNS (5). Figures are medians of the rounds; each round
// runs every contender once, in turn. Data lives in os.tmpdir() and is
// deleted at the end. Every process runs with a clean environment (PATH and
// HOME only), as on a CI runner.
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { floor, goal, inTurn, loadLine, machineLine, runProcess, secs } from './harness/measure.mjs';
import { parallelScaling } from './harness/parallelism.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '..', 'bin', 'model-gate.js');
const FILE_MIB = Number(process.env.MRG_BENCH_FILE_MIB ?? 2048);
const DIR_FILES = Number(process.env.MRG_BENCH_DIR_FILES ?? 10000);
const DIR_MIB = Number(process.env.MRG_BENCH_DIR_MIB ?? 1024);
const SHARD_MIB = Number(process.env.MRG_BENCH_SHARD_MIB ?? 4096);
const RUNS = Number(process.env.MRG_BENCH_RUNS ?? 5);
const env = { PATH: process.env.PATH, HOME: process.env.HOME ?? tmpdir() };
const node = process.execPath;

const mibps = (bytes, ms) => `${(bytes / 1024 ** 2 / (ms / 1000)).toFixed(0)} MiB/s`;
const row = (name, r, bytes) =>
  `  ${name.padEnd(34)}${secs(r.ms).padStart(10)} ${mibps(bytes, r.ms).padStart(11)}   cpu ${secs(r.cpu * 1000).padStart(9)}`;

/** Written data to disk first: writeback would otherwise run under the first rounds and tax whoever runs then. */
const settle = () => runProcess('sync', [], { env });

/** A file of `mib` MiB of random bytes (16 MiB blocks repeated), its page cache warmed. */
function bigFile(path, mib) {
  const block = randomBytes(16 * 1024 * 1024);
  const fd = openSync(path, 'w');
  for (let left = mib * 1024 * 1024; left > 0; left -= block.length) writeSync(fd, block, 0, Math.min(left, block.length));
  closeSync(fd);
  settle();
  runProcess('cat', [path], { env, discardOutput: true }); // into the page cache, for every contender alike
}

const digestOf = (stdout) => stdout.slice(0, 64);
// What any Node program needs for the many-files case (see the file): our gap to it is ours to close, the rest is Node's.
const floorMany = join(here, 'harness', 'floor-many-files.mjs');
const FLOOR = 'floor: one-file Node, two threads';
const ourDigest = (stdout) => stdout.split(' ')[0].replace(/^sha256:/, '');

console.log(machineLine());
console.log(`clean environment for every process: PATH and HOME only; ${RUNS} rounds, medians`);
const scalingAtStart = await parallelScaling();
console.log(`parallelism now: two threads hash ${scalingAtStart.toFixed(2)}x what one does (2.00 on two idle cores)`);
const verdicts = [];
const work = mkdtempSync(join(tmpdir(), 'mrg-bench-hash-'));
try {
  // ── 1. one large file ────────────────────────────────────────────────
  if (FILE_MIB > 0) {
    const big = join(work, 'big.bin');
    bigFile(big, FILE_MIB);
    const bytes = FILE_MIB * 1024 * 1024;
    const res = inTurn(
      [
        { name: 'openssl dgst -sha256', run: () => runProcess('openssl', ['dgst', '-sha256', '-r', big], { env, expectStatus: 0 }) },
        { name: 'model-gate hash', run: () => runProcess(node, [bin, 'hash', big], { env, expectStatus: 0, rss: true }) },
      ],
      RUNS,
      {
        check: (r) => {
          if (ourDigest(r.get('model-gate hash').stdout) !== digestOf(r.get('openssl dgst -sha256').stdout)) throw new Error('file digest differs from openssl');
        },
      },
    );
    const o = res.get('openssl dgst -sha256');
    const m = res.get('model-gate hash');
    const rss = Math.max(...m.runs.map((r) => r.rssMiB));
    console.log(`\none file of ${FILE_MIB} MiB:`);
    console.log(row('openssl dgst -sha256', o, bytes));
    console.log(`${row('model-gate hash', m, bytes)}   peak RSS ${(rss * 1.048576).toFixed(0)} MB`);
    verdicts.push(goal('one large file: speed, openssl wall / ours', o.ms / m.ms, { atLeast: 0.95 }));
    verdicts.push(goal('one large file: CPU, ours / openssl', m.cpu / o.cpu, { atMost: 1.15 }));
    verdicts.push(goal('one large file: peak RSS, MB', rss * 1.048576, { atMost: 150 }));
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
    const bytes = per * DIR_FILES;
    settle();
    runProcess('bash', ['-c', 'cat "$1"/*/* > /dev/null', 'x', dir], { env, discardOutput: true });
    const pipeline = (tool) => `cd "$1" && find . -type f -print0 | cut -z -c3- | LC_ALL=C sort -z | xargs -0 -r ${tool} | sha256sum`;
    // openssl -r prints "<hex> *<name>"; sed turns it into sha256sum's line, so the digest is the same.
    const viaOpenssl = pipeline("openssl dgst -sha256 -r | sed 's/ \\*/  /'");
    const viaSha256sum = pipeline('sha256sum --');
    const res = inTurn(
      [
        { name: 'dirHash1 pipeline, openssl dgst', run: () => runProcess('bash', ['-c', viaOpenssl, 'x', dir], { env, expectStatus: 0 }) },
        { name: 'dirHash1 pipeline, sha256sum', run: () => runProcess('bash', ['-c', viaSha256sum, 'x', dir], { env, expectStatus: 0 }) },
        { name: 'model-gate hash', run: () => runProcess(node, [bin, 'hash', dir], { env, expectStatus: 0, rss: true }) },
        { name: FLOOR, run: () => runProcess(node, [floorMany, dir], { env, expectStatus: 0 }) },
      ],
      RUNS,
      {
        check: (r) => {
          const want = digestOf(r.get('dirHash1 pipeline, sha256sum').stdout);
          const ours = ourDigest(r.get('model-gate hash').stdout);
          if (digestOf(r.get('dirHash1 pipeline, openssl dgst').stdout) !== want || ours !== want || ourDigest(r.get(FLOOR).stdout) !== want) {
            throw new Error('directory digests differ');
          }
        },
      },
    );
    const o = res.get('dirHash1 pipeline, openssl dgst');
    const m = res.get('model-gate hash');
    console.log(`\n${DIR_FILES} files, ${(bytes / 1024 ** 2).toFixed(0)} MiB in 100 directories:`);
    for (const [name, r] of res) console.log(row(name, r, bytes));
    verdicts.push(goal('many files: wall, ours / openssl pipeline', m.ms / o.ms, { atMost: 0.6 }));
    verdicts.push(goal('many files: CPU, ours / openssl pipeline', m.cpu / o.cpu, { atMost: 1.3 }));
    const f = res.get(FLOOR);
    floor('many files', `a one-file Node program on two threads is ${(f.ms / o.ms).toFixed(2)}x the pipeline's wall; ours is ${(m.ms / f.ms).toFixed(2)}x that floor's wall, ${(m.cpu / f.cpu).toFixed(2)}x its CPU`);
    rmSync(dir, { recursive: true });
  }

  // ── 3. sharded digest of one large file ──────────────────────────────
  if (SHARD_MIB > 0) {
    const big = join(work, 'shard.bin');
    bigFile(big, SHARD_MIB);
    const bytes = SHARD_MIB * 1024 * 1024;
    const res = inTurn(
      [
        { name: 'openssl dgst -sha256', run: () => runProcess('openssl', ['dgst', '-sha256', '-r', big], { env, expectStatus: 0 }) },
        { name: 'model-gate hash --shards-only', run: () => runProcess(node, [bin, 'hash', '--shards-only', '--json', big], { env, expectStatus: 0, rss: true }) },
        { name: 'model-gate hash --shards', run: () => runProcess(node, [bin, 'hash', '--shards', '--json', big], { env, expectStatus: 0, rss: true }) },
      ],
      Math.max(3, Math.ceil(RUNS / 2)),
      {
        check: (r) => {
          const [both] = JSON.parse(r.get('model-gate hash --shards').stdout);
          const [only] = JSON.parse(r.get('model-gate hash --shards-only').stdout);
          if (both.digest !== `sha256:${digestOf(r.get('openssl dgst -sha256').stdout)}`) throw new Error('plain digest differs from openssl');
          if (JSON.stringify(both.shards) !== JSON.stringify(only.shards)) throw new Error('shard digests differ between the two modes');
        },
      },
    );
    const o = res.get('openssl dgst -sha256');
    console.log(`\nsharded digest of one ${SHARD_MIB} MiB file (shards of 10^9 bytes, as OpenSSF model signing):`);
    for (const [name, r] of res) {
      const rss = r.runs[0].rssMiB === undefined ? '' : `   peak RSS ${(Math.max(...r.runs.map((x) => x.rssMiB)) * 1.048576).toFixed(0)} MB`;
      console.log(`${row(name, r, bytes)}${rss}`);
    }
    verdicts.push(goal('sharded digest: wall, ours / openssl', res.get('model-gate hash --shards-only').ms / o.ms, { atMost: 0.6 }));
    rmSync(big);
  }
  console.log(`\nload average at the end: ${loadLine()}; parallelism at the end: ${(await parallelScaling()).toFixed(2)}x`);
  console.log(`${verdicts.filter((v) => v.met).length} of ${verdicts.length} goals met`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
