// Full verify of a tiled log on a real Ceph RGW: from bundles (`verifyTree`,
// the `audit verify-tree` path) beside today's per-entry verify (`verifyLog`,
// the `audit verify` path), in turn in the same run (compiled code: `npm run build`).
//   node bench/tlog-s3-verify.mjs [records=20000] [rounds=1]
// The log (entries, full bundles, the tiles of its size, one signed note) is
// written straight to the bucket with PutObject, 32 in flight (setup, not
// measured). Each verifier then opens the store afresh through a counting
// proxy (test/helpers/s3-fault-proxy.ts, nothing injected), so every request
// it issues is counted by kind (GET, version listing, key listing); wall time
// and this process's CPU time (user + system) are measured around the call.
// Uses the server in MRG_TEST_S3_ENDPOINT/_ACCESS_KEY/_SECRET_KEY when set;
// otherwise starts its own with scripts/s3-server.sh (.tmp/s3-bench) and stops it.
import { createHash, randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, PutObjectCommand, PutObjectLockConfigurationCommand } from '@aws-sdk/client-s3';
import { RECORD_VERSION, encodeRecord, entryKey, openStore, recordDigest, verifyLog } from '../lib/src/audit/index.js';
import { ZERO_DIGEST } from '../lib/src/core/digest.js';
import { encodeBundle } from '../lib/src/audit/tlog/bundle.js';
import { signCheckpoint } from '../lib/src/audit/tlog/checkpoint-note.js';
import { generateNoteKey, parseNoteKey, parseVkey } from '../lib/src/audit/tlog/ed25519-keys.js';
import { leafHash } from '../lib/src/audit/tlog/hash.js';
import { noteKey } from '../lib/src/audit/tlog/note-io.js';
import { tilePath } from '../lib/src/audit/tlog/tile-path.js';
import { extendTiles } from '../lib/src/audit/tlog/tiles.js';
import { perfectFromLeaves, treeRoot } from '../lib/src/audit/tlog/tree.js';
import { verifyTree } from '../lib/src/audit/tlog/verify-tree.js';
import { startFaultProxy } from '../lib/test/helpers/s3-fault-proxy.js';
import { goal } from './harness/measure.mjs';
import { benchS3Server } from './harness/s3-server.mjs';

const N = Number(process.argv[2] ?? 20_000);
const ROUNDS = Number(process.argv[3] ?? 1);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fmt = (n, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const server = benchS3Server(root);
const env = { AWS_ACCESS_KEY_ID: server.accessKey, AWS_SECRET_ACCESS_KEY: server.secretKey };
const { client } = server;
const bucket = `mrg-tlog-verify-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const PREFIX = 'log';
const LOG = 'bench/repo';

/** What a request asks for: GET, versions (ListObjectVersions), list (ListObjectsV2), or another method. */
function opOf(method, path) {
  const q = new URL(path, 'http://x').searchParams;
  if (method !== 'GET') return method;
  if (q.has('versions')) return 'versions';
  if (q.has('list-type')) return 'list';
  if (q.has('object-lock')) return 'lock-config';
  return 'GET';
}
let counts = new Map();
const proxy = await startFaultProxy(server.endpoint, {
  slowAnswerMs: 0,
  schedule: (r) => {
    const k = opOf(r.method, r.path);
    counts.set(k, (counts.get(k) ?? 0) + 1);
    return 'pass';
  },
});
const url = (endpoint) => `s3://${bucket}/${PREFIX}?region=us-east-1&endpoint=${encodeURIComponent(endpoint)}`;

async function putAll(items) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const [key, body] = items[next++];
      await client.send(new PutObjectCommand({
        Bucket: bucket, Key: `${PREFIX}/${key}`, Body: body, ContentLength: body.length,
        ContentMD5: createHash('md5').update(body).digest('base64'),
      }));
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
}

/** The log as appends would leave it at size n (only the partial tiles of size n, not of every size). */
function buildLog(n, key) {
  const items = [];
  const leaves = [];
  let prev = ZERO_DIGEST;
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
    items.push([entryKey(seq), Buffer.from(bytes)]);
    prev = recordDigest(bytes);
    leaves.push(leafHash(bytes));
    bundle.push(bytes);
    if (bundle.length === 256) {
      items.push([tilePath({ level: 'entries', n: (seq + 1) / 256 - 1, width: 256 }), encodeBundle(bundle)]);
      bundle = [];
    }
  }
  for (const t of extendTiles(0, leaves, () => undefined)) items.push([tilePath(t.coord), t.data]);
  items.push([noteKey(n), signCheckpoint({ origin: LOG, size: n, root: treeRoot(n, perfectFromLeaves(leaves)) }, key)]);
  return items;
}

async function measure(name, fn) {
  counts = new Map();
  const store = await openStore(url(proxy.endpoint), { env });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await fn(store);
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  return { name, wall, cpu: (c.user + c.system) / 1e6, total, gets: counts.get('GET') ?? 0, counts, r };
}

try {
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, node ${process.version}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}; S3: Ceph RGW at ${server.endpoint} (through a counting proxy)`);
  await client.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
  await client.send(new PutObjectLockConfigurationCommand({
    Bucket: bucket,
    ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2557 } } },
  }));
  const gen = generateNoteKey(LOG);
  const key = parseNoteKey(gen.privateKey).key;
  const vkey = parseVkey(gen.vkey).vkey;
  const items = buildLog(N, key);
  const t0 = performance.now();
  await putAll(items);
  console.log(`${fmt(N)} records written as ${fmt(items.length)} objects in ${fmt((performance.now() - t0) / 1000, 1)} s (setup, not measured)`);

  const rows = { tree: [], entries: [] };
  for (let round = 0; round < ROUNDS; round++) {
    rows.tree.push(await measure('tree', async (store) => {
      const r = await verifyTree(store, { logKeys: [vkey], origin: LOG });
      if (!r.ok || r.size !== N) throw new Error(`verifyTree: ${JSON.stringify(r.findings.slice(0, 3))}`);
      return r;
    }));
    rows.entries.push(await measure('entries', async (store) => {
      const r = await verifyLog([store], { log: LOG });
      if (!r.ok || r.size !== N) throw new Error(`verifyLog: ${JSON.stringify(r.findings.slice(0, 3))}`);
      return r;
    }));
  }
  for (const name of ['tree', 'entries']) {
    const rs = rows[name];
    const m = (k) => median(rs.map((x) => x[k]));
    const last = rs[rs.length - 1];
    const label = name === 'tree' ? 'verifyTree (bundles, tiles, note; `audit verify-tree`)' : 'verifyLog (every entry; `audit verify`)';
    console.log(`\n${label}: ${fmt(N / m('wall'))} records/s, wall ${fmt(m('wall'), 1)} s, CPU ${fmt(m('cpu'), 1)} s; ${fmt(m('gets'))} GETs (${fmt(N / m('gets'), 1)} records a GET), ${fmt(m('total'))} requests in all`);
    for (const [k, v] of [...last.counts.entries()].sort((a, b) => b[1] - a[1])) console.log(`  ${k.padEnd(12)} ${fmt(v)}`);
  }
  const mt = (k) => median(rows.tree.map((x) => x[k]));
  const me = (k) => median(rows.entries.map((x) => x[k]));
  console.log(`\nratios (per-entry / tree): GETs ${fmt(me('gets') / mt('gets'), 1)}x fewer, requests ${fmt(me('total') / mt('total'), 1)}x fewer, wall ${fmt(me('wall') / mt('wall'), 1)}x faster, CPU ${fmt(me('cpu') / mt('cpu'), 2)}x`);
  // Issue 15: on S3, at least 100x fewer GETs than records for a 100,000-record log.
  goal(`verify-tree on RGW, records per GET (${fmt(N)} records)`, N / mt('gets'), { atLeast: 100 });
} finally {
  await proxy.close();
  client.destroy();
  server.stop();
}
