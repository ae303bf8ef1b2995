// Requests per append on a real Ceph RGW, with tiles and without, for one
// writer and for racing writers on one log (compiled code: `npm run build`).
//   node bench/tlog-s3.mjs [single=100] [writers=8] [per-writer=50] [rounds=1]
// Every request of the writers goes through a counting proxy
// (test/helpers/s3-fault-proxy.ts, nothing injected), sorted by what it asks
// for (entry / tile / bundle; GET, PUT, version listing, key listing). The
// writers are child processes (bench/tlog-s3-worker.mjs) that open the store
// afresh for each append, as one CLI or Action run does. In each round the
// two modes run in turn on fresh prefixes of one bucket:
//   entries: `appendRecord` alone (the log before tiles, the reference);
//   tiles:   `appendAndCheckpoint` without a key (what `audit append` does).
// After each run the log is checked (not counted): every record present once,
// and in tiles mode every size 1..N has its tile, equal to the entries' leaves.
// Uses the server in MRG_TEST_S3_ENDPOINT/_ACCESS_KEY/_SECRET_KEY when set;
// otherwise starts its own with scripts/s3-server.sh (.tmp/s3-bench) and stops it.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateBucketCommand, ListObjectsV2Command, PutObjectLockConfigurationCommand,
} from '@aws-sdk/client-s3';
import { entryKey, openStore } from '../lib/src/audit/index.js';
import { leafHash } from '../lib/src/audit/tlog/hash.js';
import { tilePath } from '../lib/src/audit/tlog/tile-path.js';
import { startFaultProxy } from '../lib/test/helpers/s3-fault-proxy.js';
import { childCpuSeconds, goal } from './harness/measure.mjs';
import { benchS3Server } from './harness/s3-server.mjs';

const SINGLE = Number(process.argv[2] ?? 100);
const WRITERS = Number(process.argv[3] ?? 8);
const PER = Number(process.argv[4] ?? 50);
const ROUNDS = Number(process.argv[5] ?? 1);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fmt = (n, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

const server = benchS3Server(root);
const { client } = server;
const bucket = `mrg-tlog-bench-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

/** What a request asks for: `<object kind> <operation>`, e.g. `tile GET`, `entry versions`. */
function classify(method, path) {
  const url = new URL(path, 'http://x');
  const q = url.searchParams;
  const key = decodeURIComponent(url.pathname.split('/').slice(2).join('/')) || q.get('prefix') || q.get('start-after') || '';
  const obj = key.includes('/tile/entries/') ? 'bundle' : key.includes('/tile/') ? 'tile' : key.includes('/entries/') ? 'entry'
    : key.includes('/checkpoints/') ? 'checkpoint' : 'bucket';
  const op = method === 'PUT' ? 'PUT'
    : q.has('versions') ? 'versions'
    : q.has('list-type') ? 'list'
    : q.has('object-lock') ? 'lock-config'
    : method;
  return `${obj} ${op}`;
}

let counts = new Map();
const proxy = await startFaultProxy(server.endpoint, {
  slowAnswerMs: 0,
  schedule: (r) => {
    const k = classify(r.method, r.path);
    counts.set(k, (counts.get(k) ?? 0) + 1);
    return 'pass';
  },
});
const url = (prefix, endpoint) => `s3://${bucket}/${prefix}?region=us-east-1&endpoint=${encodeURIComponent(endpoint)}`;

function runWorker(prefix, mode, writer, count) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bench', 'tlog-s3-worker.mjs'), url(prefix, proxy.endpoint), mode, String(writer), String(count)], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: server.accessKey, AWS_SECRET_ACCESS_KEY: server.secretKey },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out.trim().split('\n').map((l) => JSON.parse(l))) : reject(new Error(`worker ${writer} exited ${code}: ${err}`))));
  });
}

async function listAll(prefix) {
  const keys = [];
  let token;
  do {
    const out = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of out.Contents ?? []) keys.push(o.Key);
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** Checks the log written (direct to the server, not counted): records 0..n-1 once each; in tiles mode every size's tile. */
async function checkLog(prefix, mode, n, appended) {
  const seqs = appended.map((a) => a.seq).sort((a, b) => a - b);
  if (seqs.some((s, i) => s !== i) || seqs.length !== n) throw new Error(`${prefix}: the appends got seqs ${seqs.slice(0, 10)}..., not 0..${n - 1}`);
  const entries = (await listAll(`${prefix}/entries/`)).length;
  if (entries !== n) throw new Error(`${prefix}: ${entries} entry keys, not ${n}`);
  if (mode !== 'tiles') return;
  // Owning bytes (the oldest version: race losers leave later ones), read as the verifier reads them.
  const store = await openStore(url(prefix, server.endpoint), { env: { AWS_ACCESS_KEY_ID: server.accessKey, AWS_SECRET_ACCESS_KEY: server.secretKey } });
  const get = async (key) => Buffer.from(await store.read(key));
  const leaves = [];
  for (let i = 0; i < n; i++) leaves.push(leafHash(await get(entryKey(i))));
  const have = new Set(await listAll(`${prefix}/tile/`));
  for (let size = 1; size <= n; size++) {
    const w = size % 256 || 256;
    const t = Math.ceil(size / 256) - 1;
    const key = tilePath({ level: 0, n: t, width: w });
    if (!have.has(`${prefix}/${key}`)) throw new Error(`${prefix}: no tile for size ${size} (${key})`);
    const want = Buffer.concat(leaves.slice(t * 256, t * 256 + w));
    if (!(await get(key)).equals(want)) throw new Error(`${prefix}: ${key} differs from the entries' leaves`);
  }
}

async function scenario(name, mode, writers, per) {
  const prefix = `${name}-${mode}`;
  counts = new Map();
  const cpu0 = childCpuSeconds();
  const t0 = performance.now();
  const appended = (await Promise.all(Array.from({ length: writers }, (_, w) => runWorker(prefix, mode, w, per)))).flat();
  const wall = (performance.now() - t0) / 1000;
  const cpu = childCpuSeconds() - cpu0;
  const n = writers * per;
  const seen = counts;
  await checkLog(prefix, mode, n, appended);
  const total = [...seen.values()].reduce((a, b) => a + b, 0);
  const ms = appended.map((a) => a.ms).sort((a, b) => a - b);
  return { name, mode, n, total, perAppend: total / n, wall, cpu, medianMs: ms[Math.floor(ms.length / 2)], counts: seen };
}

try {
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, node ${process.version}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}; S3: Ceph RGW at ${server.endpoint} (through a counting proxy)`);
  await client.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
  await client.send(new PutObjectLockConfigurationCommand({
    Bucket: bucket,
    ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2557 } } },
  }));
  const results = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of ['entries', 'tiles']) results.push(await scenario(`r${round}-single`, mode, 1, SINGLE));
    for (const mode of ['entries', 'tiles']) results.push(await scenario(`r${round}-race${WRITERS}`, mode, WRITERS, PER));
  }
  for (const r of results) {
    console.log(`\n${r.name} ${r.mode}: ${r.n} appends, ${fmt(r.total)} requests = ${fmt(r.perAppend, 1)} per append; wall ${fmt(r.wall, 1)} s, CPU ${fmt(r.cpu, 1)} s, median append ${fmt(r.medianMs)} ms`);
    for (const [k, v] of [...r.counts.entries()].sort((a, b) => b[1] - a[1])) console.log(`  ${k.padEnd(20)} ${fmt(v / r.n, 2).padStart(8)} per append (${v})`);
  }
  console.log('\nper append (requests, with tiles / entries only, same round):');
  for (let i = 0; i < results.length; i += 2) {
    const [e, t] = [results[i], results[i + 1]];
    console.log(`  ${t.name}: ${fmt(t.perAppend, 1)} / ${fmt(e.perAppend, 1)} = ${fmt(t.perAppend / e.perAppend, 2)}x; wall ${fmt(t.wall, 1)} s / ${fmt(e.wall, 1)} s = ${fmt(t.wall / e.wall, 2)}x; CPU ${fmt(t.cpu, 1)} s / ${fmt(e.cpu, 1)} s`);
  }
  // Not the goal but the regression's bound: racing writers with tiles within 2x the requests of the log without them (it was 9.4x).
  const [e, t] = results.slice(-2);
  goal(`racing appends on RGW, requests per append with tiles / without (${WRITERS} writers)`, t.perAppend / e.perAppend, { atMost: 2 });
} finally {
  await proxy.close();
  client.destroy();
  server.stop();
}
