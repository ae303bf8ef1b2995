// Benchmark of the transparency log on the file store (compiled code: `npm run build` first).
//   node bench/tlog-file.mjs [sizes=100000,1000000] [runs=3] [appends=1024]
//   MRG_BENCH_BASE=<another checkout, built> adds `base`: its verifyTree, in turn with ours (before/after).
// For each size: a log is written straight to disk (entries, full bundles,
// tiles, one signed note; not measured), then, in turn and RUNS times, in a
// fresh child process each (so peak RSS is the run's own):
//   ours  - verifyTree (bundles + tail + tiles + note), the `audit verify-tree` path
//   same  - a plain read + SHA-256 of the same files verifyTree reads
//   each  - a plain read + SHA-256 of every entry file (what any per-entry verifier must at least do)
// Medians of wall time, CPU time (user + system) and peak RSS; then `prove`
// and `check-proof` at the largest size; then bytes stored per record when
// records are appended one by one through the real append (tiles per append,
// a signed note and a JWS checkpoint after each), measured with du.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BASE = process.env.MRG_BENCH_BASE;
const lib = process.argv[3] === 'base' ? new URL(`file://${join(BASE, 'lib/src/')}`) : new URL('../lib/src/', import.meta.url);
const imp = (p) => import(new URL(p, lib).href);
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/**
 * The process's own peak RSS (KiB): VmHWM, which starts afresh at exec. Linux's
 * getrusage maxRSS keeps the parent's RSS at fork, so at 1,000,000 records
 * every child reported the size of the parent holding the log's leaves.
 */
function peakRss(fallback) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) : fallback;
  } catch {
    return fallback;
  }
}

if (process.argv[2] === '--child') {
  // One measured run; prints JSON with wall ms, cpu ms, peak RSS (KiB).
  const [, , , mode, dir, vkeyText] = process.argv;
  // Modules are loaded before the clock starts: start-up is not what is measured.
  const { FileStore } = await imp('audit/stores/file-store.js');
  const { verifyTree } = await imp('audit/tlog/verify-tree.js');
  const { parseVkey } = await imp('audit/tlog/ed25519-keys.js');
  const t0 = performance.now();
  const r0 = process.resourceUsage();
  let check = 0;
  if (mode === 'ours' || mode === 'base') {
    const v = parseVkey(vkeyText);
    const r = await verifyTree(new FileStore(dir), { logKeys: [v.vkey], origin: v.vkey.name });
    if (!r.ok) throw new Error(`bench log did not verify: ${JSON.stringify(r.findings.slice(0, 3))}`);
    check = r.size;
  } else {
    const files = [];
    if (mode === 'same') {
      const bundles = join(dir, 'tile', 'entries');
      const walk = (d) => { for (const e of readdirSync(d, { withFileTypes: true })) e.isDirectory() ? walk(join(d, e.name)) : files.push(join(d, e.name)); };
      walk(join(dir, 'tile'));
      const entries = readdirSync(join(dir, 'entries')).sort();
      const bundled = readdirSync(bundles).filter((n) => !n.startsWith('x')).length * 256;
      for (const n of entries.slice(bundled)) files.push(join(dir, 'entries', n));
    } else {
      for (const n of readdirSync(join(dir, 'entries')).sort()) files.push(join(dir, 'entries', n));
    }
    for (const f of files) check += createHash('sha256').update(readFileSync(f)).digest()[0];
  }
  const r1 = process.resourceUsage();
  process.stdout.write(JSON.stringify({
    ms: performance.now() - t0,
    cpu: (r1.userCPUTime - r0.userCPUTime + r1.systemCPUTime - r0.systemCPUTime) / 1000,
    rss: peakRss(r1.maxRSS),
    check,
  }));
  process.exit(0);
}

const SIZES = (process.argv[2] ?? '100000,1000000').split(',').map(Number);
const RUNS = Number(process.argv[3] ?? 3);
const APPENDS = Number(process.argv[4] ?? 1024);
const root = mkdtempSync(join(tmpdir(), 'mrg-bench-tlog-'));
const here = fileURLToPath(import.meta.url);

const { encodeRecord, recordDigest, RECORD_VERSION, entryKey } = await imp('audit/index.js');
const { ZERO_DIGEST } = await imp('core/digest.js');
const { leafHash } = await imp('audit/tlog/hash.js');
const { extendTiles } = await imp('audit/tlog/tiles.js');
const { encodeBundle } = await imp('audit/tlog/bundle.js');
const { tilePath } = await imp('audit/tlog/tile-path.js');
const { signCheckpoint } = await imp('audit/tlog/checkpoint-note.js');
const { generateNoteKey, parseNoteKey, parseVkey } = await imp('audit/tlog/ed25519-keys.js');
const { treeRoot, perfectFromLeaves } = await imp('audit/tlog/tree.js');
const { noteKey } = await imp('audit/tlog/note-io.js');

const LOG = 'bench/repo';
const gen = generateNoteKey(LOG);
const key = parseNoteKey(gen.privateKey).key;

function put(path, bytes) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
}

/** A log of n records with its bundles, tiles (at size n) and a note at n; no fsync (setup). */
function writeLog(dir, n) {
  let prev = ZERO_DIGEST;
  const leaves = [];
  let bundle = [];
  for (let seq = 0; seq < n; seq++) {
    const bytes = encodeRecord({
      v: RECORD_VERSION, log: LOG, seq, prev, time: new Date(1_767_225_600_000 + seq * 1000).toISOString(),
      event_type: 'model.release.approved', component: 'app', actor: 'alice',
      action: 'approved the release of models/prod/model.onnx',
      subject: [`sha256:${createHash('sha256').update(String(seq)).digest('hex')}`],
      details: { repository: 'bench/repo', pull_request: seq, head_sha: 'a'.repeat(40) },
      compliance_tags: ['SEC-17a-4', 'FINRA-4511'],
    });
    put(join(dir, entryKey(seq)), bytes);
    prev = recordDigest(bytes);
    leaves.push(leafHash(bytes));
    bundle.push(bytes);
    if (bundle.length === 256) {
      put(join(dir, tilePath({ level: 'entries', n: (seq + 1) / 256 - 1, width: 256 })), encodeBundle(bundle));
      bundle = [];
    }
  }
  for (const t of extendTiles(0, leaves, () => undefined)) put(join(dir, tilePath(t.coord)), t.data);
  put(join(dir, noteKey(n)), signCheckpoint({ origin: LOG, size: n, root: treeRoot(n, perfectFromLeaves(leaves)) }, key));
}

function child(mode, dir) {
  const r = spawnSync(process.execPath, [here, '--child', mode, dir, gen.vkey], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${mode}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

try {
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, node ${process.version}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  let biggest;
  for (const n of SIZES) {
    const dir = join(root, `log-${n}`);
    const t0 = performance.now();
    writeLog(dir, n);
    console.log(`\n${fmt(n)} records written in ${fmt(performance.now() - t0)} ms (setup)`);
    const modes = BASE ? ['ours', 'base', 'same', 'each'] : ['ours', 'same', 'each'];
    const rows = Object.fromEntries(modes.map((mode) => [mode, []]));
    for (let run = 0; run < RUNS; run++) for (const mode of modes) rows[mode].push(child(mode, dir));
    const m = (mode, k) => median(rows[mode].map((r) => r[k]));
    for (const mode of modes) {
      console.log(`  ${mode.padEnd(4)} ${fmt(n / (m(mode, 'ms') / 1000)).padStart(9)} records/s  wall ${fmt(m(mode, 'ms'))} ms  cpu ${fmt(m(mode, 'cpu'))} ms  peak RSS ${fmt(m(mode, 'rss') / 1024)} MiB`);
    }
    console.log(`  ratio ours / plain read of the same files: ${(m('same', 'ms') / m('ours', 'ms')).toFixed(2)} (wall), ${(m('same', 'cpu') / m('ours', 'cpu')).toFixed(2)} (cpu); ours / plain read of every entry: ${(m('each', 'ms') / m('ours', 'ms')).toFixed(2)}×`);
    if (BASE) console.log(`  ratio ours / base: ${(m('base', 'ms') / m('ours', 'ms')).toFixed(2)} (wall), ${(m('base', 'cpu') / m('ours', 'cpu')).toFixed(2)} (cpu)`);
    biggest = { n, dir };
  }

  // prove and check-proof at the largest size.
  {
    const { FileStore } = await imp('audit/stores/file-store.js');
    const { proveRecord } = await imp('audit/tlog/prove.js');
    const { checkProof } = await imp('audit/tlog/check-proof.js');
    const store = new FileStore(biggest.dir);
    const vkey = parseVkey(gen.vkey).vkey;
    const prove = [];
    if (process.env.MRG_BENCH_KEEP) console.log(`vkey ${gen.vkey}`);
    const checks = [];
    for (let i = 0; i < 15; i++) {
      const seq = Math.floor((i * 7919 * 104729) % biggest.n);
      const t0 = performance.now();
      const p = await proveRecord(store, seq, { logKeys: [vkey] });
      prove.push(performance.now() - t0);
      const t1 = performance.now();
      const c = checkProof(p.proof, p.record, { logKeys: [vkey] });
      checks.push(performance.now() - t1);
      if (!c.ok) throw new Error(c.reason);
    }
    console.log(`\nprove at ${fmt(biggest.n)} records: median ${prove.length && median(prove).toFixed(2)} ms (reads the note, ~${Math.ceil(Math.log2(biggest.n) / 8) * 2 + 1} tiles, the entry); check-proof: median ${median(checks).toFixed(2)} ms (no I/O)`);
  }
  if (process.env.MRG_BENCH_KEEP) { console.log(`kept ${root}`); process.exit(0); }
  for (const n of SIZES) rmSync(join(root, `log-${n}`), { recursive: true, force: true });

  // Bytes per record through the real append, one record at a time.
  {
    const { FileStore } = await imp('audit/stores/file-store.js');
    const { appendAndCheckpoint } = await imp('audit/append-checkpoint.js');
    const { appendRecord } = await imp('audit/append.js');
    {
      // Reference, same run: the append protocol alone (entry only, no tiles), as before the tree.
      const store = new FileStore(join(root, 'append-ref'));
      const t0 = performance.now();
      for (let i = 0; i < APPENDS; i++) await appendRecord([store], { log: LOG, event_type: 'model.release.approved', component: 'app', actor: 'alice', action: `approved release ${i}`, subject: [], details: { pull_request: i } });
      console.log(`\n${fmt(APPENDS)} appends, entry only (appendRecord, the reference): ${fmt(APPENDS / ((performance.now() - t0) / 1000))} appends/s`);
    }
    const { generateCheckpointKeyPair, loadSigningKey } = await imp('audit/checkpoint.js');
    const pair = await generateCheckpointKeyPair('EdDSA');
    const signingKey = await loadSigningKey(JSON.stringify(pair.privateJwk), 'bench');
    for (const withKey of [false, true]) {
      const dir = join(root, `append-${withKey}`);
      const store = new FileStore(dir);
      const t0 = performance.now();
      for (let i = 0; i < APPENDS; i++) {
        await appendAndCheckpoint([store], [{ log: LOG, event_type: 'model.release.approved', component: 'app', actor: 'alice', action: `approved release ${i}`, subject: [], details: { pull_request: i } }], withKey ? { signingKey } : {});
      }
      const ms = performance.now() - t0;
      const bytes = (sub) => {
        let total = 0;
        let files = 0;
        const walk = (d) => { for (const e of readdirSync(d, { withFileTypes: true })) { if (e.isDirectory()) walk(join(d, e.name)); else { total += statSync(join(d, e.name)).size; files++; } } };
        try { walk(join(dir, sub)); } catch { /* absent */ }
        return { total, files };
      };
      const du = (sub) => Number(execFileSync('du', ['-s', '--block-size=1', join(dir, sub)], { encoding: 'utf8' }).split('\t')[0]);
      const parts = ['entries', 'tile', 'checkpoints'].map((s) => ({ s, ...bytes(s), disk: bytes(s).files ? du(s) : 0 }));
      console.log(`\n${fmt(APPENDS)} appends ${withKey ? 'with a checkpoint key (tiles, note and JWS after each)' : 'without a key (tiles only)'}: ${fmt(APPENDS / (ms / 1000))} appends/s`);
      for (const p of parts) console.log(`  ${p.s.padEnd(11)} ${fmt(p.total / APPENDS).padStart(6)} bytes/record in ${fmt(p.files)} files; on disk (du) ${fmt(p.disk / APPENDS)} bytes/record`);
      const tot = parts.reduce((a, p) => a + p.total, 0);
      const disk = parts.reduce((a, p) => a + p.disk, 0);
      console.log(`  total ${fmt(tot / APPENDS)} bytes/record (entries alone ${fmt(parts[0].total / APPENDS)}); on disk ${fmt(disk / APPENDS)}`);
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
