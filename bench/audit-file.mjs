// Benchmark of the file audit store (compiled code: run `npm run build` first).
//   node bench/audit-file.mjs [records-to-verify=100000] [appends=400]
// Prints our figure beside a reference measured in the same run with plain fs
// calls, and the ratio. Verification runs ours and the reference in turn, each
// in its own process, BENCH_RUNS times (default 3), and reports medians of
// wall time, CPU time and peak RSS. Above 200,000 records only that part runs
// (`node bench/audit-file.mjs 1000000 0`: the memory bound of issue 11).
// Temp files go to the OS temp dir and are removed.
import { fork, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  FileStore, RECORD_VERSION, encodeRecord, entryKey, generateCheckpointKeyPair, loadSigningKey,
  loadVerifyKey, recordDigest, verifyChain, verifyLog, writeCheckpoint,
} from '../lib/src/audit/index.js';
import { ZERO_DIGEST } from '../lib/src/core/digest.js';

const VERIFY_N = Number(process.argv[2] ?? 100_000);
const ONLY = process.env.BENCH_ONLY; // "verify" or "append" to run one half
const APPENDS = Number(process.argv[3] ?? 400);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const root = mkdtempSync(join(tmpdir(), 'mrg-bench-audit-'));
const fmt = (n) => Math.round(n).toLocaleString('en-US');

/** Writes a valid chain of n records straight to disk (no fsync: setup, not measured). */
function writeChain(dir, n, from = 0, prev = ZERO_DIGEST) {
  mkdirSync(join(dir, 'entries'), { recursive: true });
  for (let seq = from; seq < from + n; seq++) {
    const bytes = encodeRecord({
      v: RECORD_VERSION, log: 'bench/repo', seq, prev, time: new Date(1_767_225_600_000 + seq * 1000).toISOString(),
      event_type: 'model.release.approved', component: 'app', actor: 'alice',
      action: 'approved the release of models/prod/model.onnx',
      subject: [`sha256:${createHash('sha256').update(String(seq)).digest('hex')}`],
      details: { repository: 'bench/repo', pull_request: seq, head_sha: 'a'.repeat(40) },
      compliance_tags: ['SEC-17a-4', 'FINRA-4511'],
    });
    writeFileSync(join(dir, entryKey(seq)), bytes, { mode: 0o444 });
    prev = recordDigest(bytes);
  }
  return prev;
}

function rawReadHash(dir) {
  const names = readdirSync(join(dir, 'entries')).sort();
  for (const n of names) createHash('sha256').update(readFileSync(join(dir, 'entries', n))).digest('hex');
  return names.length;
}

async function time(fn) {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

async function writers(mode, count, perWriter) {
  const dir = join(root, `${mode}-${count}`);
  mkdirSync(dir, { recursive: true });
  const script = fileURLToPath(new URL('./audit-file-writer.mjs', import.meta.url));
  const kids = Array.from({ length: count }, (_, i) => fork(script, [mode, dir, String(perWriter), String(i)]));
  await Promise.all(kids.map((k) => new Promise((r) => k.once('message', r))));
  const t0 = performance.now();
  kids.forEach((k) => k.send('go'));
  await Promise.all(kids.map((k) => new Promise((r) => k.once('message', r))));
  return (count * perWriter) / ((performance.now() - t0) / 1000);
}

try {
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, node ${process.version}, ${tmpdir()}`);

  if (ONLY !== 'append') {
  // Verify: ours and the reference in turn, each in its own process (peak RSS is per process), median of RUNS.
  const big = join(root, 'verify');
  const head = writeChain(big, VERIFY_N);
  const store = new FileStore(big);
  const child = fileURLToPath(new URL('./audit-verify-child.mjs', import.meta.url));
  const measure = (mode) => {
    const r = spawnSync(process.execPath, [child, mode, big], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status !== 0) throw new Error(`${mode} measurement failed: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const runs = { ours: [], reference: [] };
  for (let rep = 0; rep < RUNS; rep++) for (const mode of ['ours', 'reference']) runs[mode].push(measure(mode));
  const row = (mode) => {
    const m = runs[mode];
    return { ms: median(m.map((x) => x.ms)), cpuMs: median(m.map((x) => x.cpuMs)), rssMiB: median(m.map((x) => x.maxRssKiB)) / 1024, peakMiB: Math.max(...m.map((x) => x.maxRssKiB)) / 1024 };
  };
  const ours = row('ours');
  const ref = row('reference');
  console.log(`verify ${fmt(VERIFY_N)} records, file store, median of ${RUNS} (load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}):`);
  console.log('| | wall | CPU | records/s (wall) | peak RSS (median, max) |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [name, r] of [['ours: verifyLog', ours], ['reference: readdir + read + SHA-256', ref]]) {
    console.log(`| ${name} | ${fmt(r.ms)} ms | ${fmt(r.cpuMs)} ms | ${fmt(VERIFY_N / (r.ms / 1000))} | ${r.rssMiB.toFixed(0)} MiB, ${r.peakMiB.toFixed(0)} MiB |`);
  }
  console.log(`ratio ours/reference: wall ${(ref.ms / ours.ms).toFixed(2)} (rate), CPU ${(ref.cpuMs / ours.cpuMs).toFixed(2)} (rate)`);
  if (VERIFY_N > 200_000) {
    rmSync(big, { recursive: true, force: true });
  } else {
  // The pure verifier alone, over the same bytes in memory, next to SHA-256 alone.
  const inMemory = readdirSync(join(big, 'entries')).sort().map((n, seq) => ({ seq, bytes: readFileSync(join(big, 'entries', n)) }));
  const pureRows = [];
  for (let rep = 0; rep < 2; rep++) {
    const h = await time(() => inMemory.forEach((e) => createHash('sha256').update(e.bytes).digest('hex')));
    const v = await time(() => verifyChain({ entries: inMemory, checkpoints: [] }));
    pureRows.push({ hash: VERIFY_N / (h.ms / 1000), pure: VERIFY_N / (v.ms / 1000) });
  }
  const pb = pureRows.reduce((a, b) => (b.pure > a.pure ? b : a));
  console.log(`pure verifyChain in memory (no I/O): ${fmt(pb.pure)} records/s; SHA-256 alone of the same bytes: ${fmt(pb.hash)} records/s; ratio ${(pb.pure / pb.hash).toFixed(2)}`);

  const small = join(root, 'verify-10k');
  writeChain(small, 10_000);
  const s10 = await time(() => verifyLog([new FileStore(small)]));
  const s10b = await time(() => verifyLog([new FileStore(small)]));
  console.log(`verify 10,000 records: ${fmt(Math.min(s10.ms, s10b.ms))} ms (predecessor's claim: under 100 ms)`);

  // Incremental: a checkpoint at VERIFY_N, then 100 new records.
  const keys = await generateCheckpointKeyPair('EdDSA');
  const signing = await loadSigningKey(JSON.stringify(keys.privateJwk), 'bench key');
  const verifyKey = await loadVerifyKey(JSON.stringify(keys.publicJwk), 'bench key');
  const cp = await time(() => writeCheckpoint(store, signing));
  writeChain(big, 100, VERIFY_N, head);
  const inc = await time(() => verifyLog([store], { checkpointKey: verifyKey, fromCheckpoint: true }));
  if (!inc.value.ok || inc.value.size !== VERIFY_N + 100) throw new Error('incremental verify failed');
  console.log(`checkpoint of ${fmt(VERIFY_N)} records (verifies first): ${fmt(cp.ms)} ms; --from-checkpoint verify of 100 new records: ${inc.ms.toFixed(1)} ms`);
  rmSync(big, { recursive: true, force: true });
  }
  }

  // Appends, each fsynced (file + directory) before it counts.
  for (const n of ONLY === 'verify' || APPENDS === 0 ? [] : [1, 8]) {
    const per = Math.max(1, Math.floor(APPENDS / n));
    const raw = await writers('raw', n, per);
    const ours = await writers('ours', n, per);
    console.log(`append, ${n} writer(s) x ${per}: ${fmt(ours)} records/s; plain O_EXCL create + fsync file and dir: ${fmt(raw)} files/s; ratio ${(ours / raw).toFixed(2)}`);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
