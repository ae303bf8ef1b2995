// Benchmark of `model-gate audit stream` (compiled code: run `npm run build` first).
//   node bench/audit-stream.mjs [records=100000] [runs=3]
// Needs the Kafka test cluster: `scripts/kafka-server.sh start` and export the
// MRG_TEST_KAFKA_* lines it prints (kcat comes with it).
//
// Ours: the CLI streaming a file store of N records into an empty topic, end
// to end as an operator runs it (node start, reading the store: its entry
// bundles, 256 records each, as `audit append` publishes them, and the tail
// entries; checking the chain; the CloudEvents headers; transactional
// idempotent produce with acks=all).
// Reference, same run, alternating with ours: `kcat -P` producing the same N
// record bytes from one file (one line each) with the same key and headers of
// the same sizes to one partition, idempotent with acks=all. A second
// reference: kafkajs alone producing the prepared messages with the stream's
// producer settings (bench/audit-stream-kafkajs.mjs): what the client costs,
// with kafkajs's own record encoder and with the stream's one-pass encoder.
// Wall and CPU time (user+sys of the child, from bash's `times`) per run;
// medians; the ratio of rates.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RECORD_VERSION, encodeRecord, entryKey, recordDigest } from '../lib/src/audit/index.js';
import { ZERO_DIGEST } from '../lib/src/core/digest.js';
import { openStore } from '../lib/src/audit/open-store.js';
import { backfillTiles } from '../lib/src/audit/tlog/tile-io.js';

const N = Number(process.argv[2] ?? 100_000);
const RUNS = Number(process.argv[3] ?? 3);
const brokers = process.env.MRG_TEST_KAFKA_BROKERS;
if (!brokers) {
  console.error('audit-stream.mjs needs MRG_TEST_KAFKA_BROKERS: run scripts/kafka-server.sh start and export the lines it prints');
  process.exit(2);
}
const root = mkdtempSync(join(tmpdir(), 'mrg-bench-stream-'));
const cli = fileURLToPath(new URL('../bin/model-gate.js', import.meta.url));
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const LOG = 'bench/repo';

// Setup (not measured): the store, and the same bytes as one file for kcat.
const store = join(root, 'store');
mkdirSync(join(store, 'entries'), { recursive: true });
const lines = [];
let prev = ZERO_DIGEST;
for (let seq = 0; seq < N; seq++) {
  const bytes = encodeRecord({
    v: RECORD_VERSION, log: LOG, seq, prev, time: new Date(1_767_225_600_000 + seq * 1000).toISOString(),
    event_type: 'model.release.approved', component: 'app', actor: 'alice',
    action: 'approved the release of models/prod/model.onnx',
    subject: [`sha256:${'ab'.repeat(32)}`],
    details: { repository: 'bench/repo', pull_request: seq, head_sha: 'a'.repeat(40) },
    compliance_tags: ['SEC-17a-4', 'FINRA-4511'],
  });
  writeFileSync(join(store, entryKey(seq)), bytes, { mode: 0o444 });
  lines.push(bytes.toString('utf8'));
  prev = recordDigest(bytes);
}
// The tiles and bundles every appending command publishes (a store written
// before tiles gets them from `audit backfill-tiles`).
await backfillTiles(await openStore(store, { env: {} }), N);
const flat = join(root, 'records.jsonl');
writeFileSync(flat, `${lines.join('\n')}\n`);
const bytesTotal = lines.reduce((n, l) => n + l.length, 0);

// The reference carries headers of the same names and sizes as ours (kcat
// sets the same ones on every message), so both put the same bytes on the wire.
const sample = (await import('../lib/src/audit/stream/cloudevent.js')).recordMessage(
  Buffer.from(lines[N - 1]), JSON.parse(lines[N - 1]), store,
);
const kcatHeaders = Object.entries(sample.headers).map(([h, v]) => `-H '${h}=${v.replace(/'/g, '')}'`).join(' ');

/** Runs a shell command; returns wall ms and the children's CPU ms (bash `times`). */
function timed(command) {
  const t0 = performance.now();
  const r = spawnSync('bash', ['-c', `${command} >"${root}/out" 2>"${root}/err"; rc=$?; times; exit $rc`], { encoding: 'utf8' });
  const wall = performance.now() - t0;
  if (r.status !== 0) {
    console.error(`failed (${r.status}): ${command}\n${spawnSync('cat', [join(root, 'err')], { encoding: 'utf8' }).stdout}`);
    process.exit(1);
  }
  // `times` prints the shell's own times, then its children's: "0m1.234s 0m0.567s".
  const child = r.stdout.trim().split('\n').pop().split(/\s+/).map((t) => {
    const m = /^(\d+)m([\d.]+)s$/.exec(t);
    return m ? Number(m[1]) * 60_000 + Number(m[2]) * 1000 : 0;
  });
  return { wall, cpu: child[0] + child[1] };
}

console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, node ${process.version}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`${fmt(N)} records, ${fmt(bytesTotal / N)} bytes each on average; ${RUNS} runs each, alternating; brokers ${brokers}`);
const helper = fileURLToPath(new URL('./audit-stream-kafkajs.mjs', import.meta.url));
const ours = [];
const ref = [];
const client = [];
const clientFast = [];
for (let i = 0; i < RUNS; i++) {
  const t1 = `mrg-bench-ours-${process.pid}-${i}`;
  const o = timed(`node "${cli}" audit stream --store "${store}" --kafka "${brokers}" --topic ${t1} --json`);
  const out = JSON.parse(spawnSync('cat', [join(root, 'out')], { encoding: 'utf8' }).stdout);
  if (out.published !== N) throw new Error(`ours published ${out.published}, not ${N}`);
  ours.push(o);
  const t2 = `mrg-bench-kcat-${process.pid}-${i}`;
  const k = timed(
    `kcat -P -b "${brokers}" -t ${t2} -p 0 -k "${LOG}" -X enable.idempotence=true -X acks=all -X linger.ms=5 ${kcatHeaders} < "${flat}"`,
  );
  ref.push(k);
  const j = timed(`node "${helper}" "${brokers}" mrg-bench-kafkajs-${process.pid}-${i} "${flat}" "${store}"`);
  client.push(j);
  const f = timed(`node "${helper}" "${brokers}" mrg-bench-kafkajs-fast-${process.pid}-${i} "${flat}" "${store}" fast`);
  clientFast.push(f);
  console.log(
    `run ${i + 1}: ours ${fmt(o.wall)} ms wall, ${fmt(o.cpu)} ms CPU; kcat -P ${fmt(k.wall)} ms wall, ${fmt(k.cpu)} ms CPU; ` +
      `kafkajs alone ${fmt(j.wall)} ms wall, ${fmt(j.cpu)} ms CPU; kafkajs + our encoder ${fmt(f.wall)} ms wall, ${fmt(f.cpu)} ms CPU`,
  );
}
const ow = median(ours.map((x) => x.wall));
const oc = median(ours.map((x) => x.cpu));
const kw = median(ref.map((x) => x.wall));
const kc = median(ref.map((x) => x.cpu));
console.log(`median: ours ${fmt(N / (ow / 1000))} records/s (${fmt(ow)} ms wall, ${fmt(oc)} ms CPU); kcat -P ${fmt(N / (kw / 1000))} records/s (${fmt(kw)} ms wall, ${fmt(kc)} ms CPU)`);
const jw = median(client.map((x) => x.wall));
const jc = median(client.map((x) => x.cpu));
const fw = median(clientFast.map((x) => x.wall));
const fc = median(clientFast.map((x) => x.cpu));
console.log(`kafkajs alone (prepared messages, same producer settings): ${fmt(N / (jw / 1000))} records/s (${fmt(jw)} ms wall, ${fmt(jc)} ms CPU)`);
console.log(`kafkajs alone with the stream's encoder: ${fmt(N / (fw / 1000))} records/s (${fmt(fw)} ms wall, ${fmt(fc)} ms CPU)`);
console.log(`ratio (ours / kcat, records/s by wall time): ${(kw / ow).toFixed(2)}; by CPU time: ${(kc / oc).toFixed(2)}; ours / kafkajs alone: ${(jw / ow).toFixed(2)}`);
console.log(
  `CPU per record: ours ${(oc / N * 1000).toFixed(1)} µs, kafkajs alone ${(jc / N * 1000).toFixed(1)} µs, ` +
    `kafkajs + our encoder ${(fc / N * 1000).toFixed(1)} µs, kcat ${(kc / N * 1000).toFixed(1)} µs`,
);
rmSync(root, { recursive: true, force: true });
