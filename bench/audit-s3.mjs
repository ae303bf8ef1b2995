// Benchmark of the S3 audit store on a real Ceph RGW (compiled code: run
// `npm run build` first).
//   node bench/audit-s3.mjs [appends=150] [verify-records=10000]
// Uses the server in MRG_TEST_S3_ENDPOINT/_ACCESS_KEY/_SECRET_KEY when set;
// otherwise starts its own with scripts/s3-server.sh (folder .tmp/s3-bench)
// and stops it at the end. Prints our figures beside the raw S3 rate of the
// same server measured in the same run (PutObject for appends, GetObject for
// verify, at the same concurrency), and the ratios.
import { createHash, randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  PutObjectLockConfigurationCommand,
} from '@aws-sdk/client-s3';
import { RECORD_VERSION, appendRecord, encodeRecord, entryKey, openStore, recordDigest, verifyLog } from '../lib/src/audit/index.js';
import { ZERO_DIGEST } from '../lib/src/core/digest.js';
import { benchS3Server } from './harness/s3-server.mjs';

const APPENDS = Number(process.argv[2] ?? 150);
const VERIFY_N = Number(process.argv[3] ?? 10_000);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fmt = (n) => Math.round(n).toLocaleString('en-US');

// The server.
const server = benchS3Server(root);
const storeEnv = { AWS_ACCESS_KEY_ID: server.accessKey, AWS_SECRET_ACCESS_KEY: server.secretKey };
const { client } = server;

const bucket = `mrg-bench-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const storeUrl = (prefix) => `s3://${bucket}/${prefix}?region=us-east-1&endpoint=${encodeURIComponent(server.endpoint)}`;
const md5 = (b) => createHash('md5').update(b).digest('base64');

function record(seq, prev, log = 'bench/repo') {
  return encodeRecord({
    v: RECORD_VERSION, log, seq, prev, time: new Date(1_767_225_600_000 + seq * 1000).toISOString(),
    event_type: 'model.release.approved', component: 'app', actor: 'alice',
    action: 'approved the release of models/prod/model.onnx',
    subject: [`sha256:${createHash('sha256').update(String(seq)).digest('hex')}`],
    details: { repository: 'bench/repo', pull_request: seq, head_sha: 'a'.repeat(40) },
    compliance_tags: ['SEC-17a-4', 'FINRA-4511'],
  });
}
// Each append a distinct event: two byte-identical records built in the same
// millisecond would count as one event (an idempotent retry), by design.
const input = (writer, i) => ({ ...INPUT, details: { ...INPUT.details, writer, i } });
const INPUT = {
  event_type: 'model.release.approved', component: 'app', actor: 'alice',
  action: 'approved the release of models/prod/model.onnx',
  subject: [`sha256:${'b'.repeat(64)}`],
  details: { repository: 'bench/repo', pull_request: 7, head_sha: 'a'.repeat(40) },
  compliance_tags: ['SEC-17a-4', 'FINRA-4511'],
};

async function timed(fn) {
  const t0 = performance.now();
  const value = await fn();
  return { s: (performance.now() - t0) / 1000, value };
}

/** Runs `total` calls of fn(i) with `conc` in flight. */
async function pool(total, conc, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: conc }, async () => {
    while (next < total) await fn(next++);
  }));
}

const rawPut = (prefix, i, body) =>
  client.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/entries/${String(i).padStart(20, '0')}.json`, Body: body, ContentMD5: md5(body) }));

try {
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, node ${process.version}; S3: Ceph RGW (memstore) at ${server.endpoint}`);
  await client.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
  await client.send(new PutObjectLockConfigurationCommand({
    Bucket: bucket,
    ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2557 } } },
  }));
  const body = record(0, ZERO_DIGEST);
  console.log(`record size ${body.length} bytes; bucket ${bucket} (COMPLIANCE, 2557 days)`);

  // 1 writer: raw PUT vs append (one store, sequential, as one release workflow appends).
  const raw1 = await timed(() => pool(APPENDS, 1, (i) => rawPut('raw1', i, body)));
  const store1 = await openStore(storeUrl('one'), { env: storeEnv });
  const app1 = await timed(async () => { for (let i = 0; i < APPENDS; i++) await appendRecord([store1], input(0, i)); });
  const r1 = APPENDS / raw1.s;
  const a1 = APPENDS / app1.s;
  console.log(`append, 1 writer x ${APPENDS}: ${fmt(a1)} records/s; raw PutObject (Content-MD5), 1 at a time: ${fmt(r1)}/s; ratio ${(a1 / r1).toFixed(2)}`);

  // 16 writers on 16 logs (one log per repository, docs/design.md §7).
  const per = Math.max(1, Math.floor(APPENDS / 4));
  const raw16 = await timed(() => pool(16 * per, 16, (i) => rawPut('raw16', i, body)));
  const stores = await Promise.all(Array.from({ length: 16 }, (_, w) => openStore(storeUrl(`many/log${w}`), { env: storeEnv })));
  const app16 = await timed(() => Promise.all(stores.map(async (s, w) => { for (let i = 0; i < per; i++) await appendRecord([s], input(w, i)); })));
  const r16 = (16 * per) / raw16.s;
  const a16 = (16 * per) / app16.s;
  console.log(`append, 16 logs x ${per} (16 writers, one per log): ${fmt(a16)} records/s; raw PutObject, 16 in flight: ${fmt(r16)}/s; ratio ${(a16 / r16).toFixed(2)}`);

  // 16 writers racing on ONE log: a chain is sequential; losers retry on top of the winner.
  const racePer = Math.max(1, Math.floor(APPENDS / 16));
  const racers = await Promise.all(Array.from({ length: 16 }, () => openStore(storeUrl('race'), { env: storeEnv })));
  const race = await timed(() => Promise.all(racers.map(async (s, w) => { for (let i = 0; i < racePer; i++) await appendRecord([s], input(w, i)); })));
  const raceRate = (16 * racePer) / race.s;
  const raceCheck = await verifyLog([await openStore(storeUrl('race'), { env: storeEnv })]);
  if (!raceCheck.ok || raceCheck.size !== 16 * racePer) throw new Error(`the raced log did not verify: size ${raceCheck.size}, ${JSON.stringify(raceCheck.findings.slice(0, 3))}`);
  console.log(`append, 16 writers racing on 1 log x ${racePer}: ${fmt(raceRate)} records/s (${raceCheck.superseded.length} race-loser versions); vs raw 1 at a time ${(raceRate / r1).toFixed(2)}, vs raw 16 in flight ${(raceRate / r16).toFixed(2)}`);

  // Verify VERIFY_N records (written straight with PutObject: setup, not measured).
  const digests = [];
  let prev = ZERO_DIGEST;
  const bodies = [];
  for (let seq = 0; seq < VERIFY_N; seq++) {
    const b = record(seq, prev);
    bodies.push(b);
    prev = recordDigest(b);
    digests.push(prev);
  }
  await pool(VERIFY_N, 16, (i) => rawPut('verify', i, bodies[i]));
  const CONC = 32; // verify's default concurrency
  const rows = [];
  for (let rep = 0; rep < 2; rep++) {
    const raw = await timed(() => pool(VERIFY_N, CONC, async (i) => {
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: `verify/${entryKey(i)}` }));
      createHash('sha256').update(await out.Body.transformToByteArray()).digest();
    }));
    const ours = await timed(async () => verifyLog([await openStore(storeUrl('verify'), { env: storeEnv })], { concurrency: CONC }));
    if (!ours.value.ok || ours.value.head !== prev) throw new Error(`bench chain did not verify: ${JSON.stringify(ours.value.findings.slice(0, 3))}`);
    rows.push({ raw: VERIFY_N / raw.s, ours: VERIFY_N / ours.s, s: ours.s });
  }
  const best = rows.reduce((a, b) => (b.ours > a.ours ? b : a));
  console.log(`verify ${fmt(VERIFY_N)} records (concurrency ${CONC}, retention checked): ${best.s.toFixed(1)} s = ${fmt(best.ours)} records/s; raw GetObject + SHA-256 of the same keys, ${CONC} in flight: ${fmt(best.raw)}/s; ratio ${(best.ours / best.raw).toFixed(2)}`);
} finally {
  client.destroy();
  server.stop();
}
