#!/usr/bin/env node
// The App end to end on loopback: a signed webhook delivery until the check
// run is written (Probot answers after the handler finished), median and p99;
// deliveries per second the server sustains with the GitHub double answering
// at once (contract validation off: the referee is not what is measured); and
// the GitHub API requests one evaluation of a typical release PR makes.
//
// Reference in the same process: a bare node:http server that only checks the
// webhook HMAC and answers 200 (the floor of one signed delivery on loopback).
//
// Run after a build:  npx tsc -p tsconfig.json && node bench/app.mjs
// Bounded: N sequential deliveries, then M at concurrency C; all on 127.0.0.1.
import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sign, verify } from '@octokit/webhooks-methods';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const h = await import(join(root, 'lib/test/helpers/app-harness.js'));
const { buildStatement, statementBytes } = await import(join(root, 'lib/src/approval/statement.js'));

const N = Number(process.env.BENCH_N ?? 200);
const M = Number(process.env.BENCH_M ?? 400);
const C = Number(process.env.BENCH_C ?? 8);

const REPO = 'acme/models';
const INSTALLATION = 7;
const POLICY = `version: 1
protected_paths: ["models/**"]
roles:
  - name: developer
    teams: [acme/ml]
  - name: risk
    teams: [acme/risk]
changes_requested_veto: true
`;

// LOG_LEVEL info: one structured log line per evaluation, as in production.
const app = await h.startApp({
  validate: false,
  nodeArgs: process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [],
});
const { gh } = app;
const tmp = h.tempDir('mrg-bench-');
try {
  gh.addRepo(REPO, { id: 100 });
  gh.addInstallation('acme', INSTALLATION);
  gh.setTeam('acme', 'ml', ['alice', 'dave']);
  gh.setTeam('acme', 'risk', ['bob']);
  const keys = {};
  for (const who of ['alice', 'bob']) {
    keys[who] = h.sshKey(tmp.dir, who);
    gh.addSigningKey(who, keys[who].publicLine);
  }
  const main = gh.commit(REPO, { branch: 'main', changes: { '.github/model-release-gate.yml': POLICY } });
  // The model's true digest: the gate hashes the bytes in the commit and the approvers sign those.
  const modelDigest = `sha256:${createHash('sha256').update('w').digest('hex')}`;
  const meta = JSON.stringify({ model: { path: 'model.onnx', digest: modelDigest }, metrics: { accuracy: 0.93 } });
  gh.commit(REPO, { branch: 'release', parent: main, author: 'carol', changes: { 'models/fraud/model.onnx': 'w', 'models/fraud/metadata.json': meta, 'models/fraud/README.md': 'x' } });
  const p = gh.openPull(REPO, { number: 1, author: 'carol', base: 'main', head: 'release' });
  for (const who of ['alice', 'bob']) {
    const st = statementBytes(
      buildStatement(
        {
          repository: REPO, repository_id: 100, pull_request: 1, base_sha: p.base.sha, head_sha: p.head.sha,
          artifacts: [{ path: 'models/fraud/model.onnx', digest: modelDigest }],
          lineage_digest: `sha256:${createHash('sha256').update(meta).digest('hex')}`,
        },
        { login: who, id: gh.user(who).id },
      ),
    );
    gh.addReview(REPO, 1, { login: who, state: 'APPROVED', body: `ok\n${st}\n${h.sshSign(keys[who], st)}` });
  }
  const payload = h.reviewEvent(gh, REPO, 1, 'bob', 'submitted', INSTALLATION);

  // Warm up (token, JIT), and list one evaluation's requests.
  for (let i = 0; i < 5; i++) await app.deliver('pull_request_review', payload);
  const run = gh.latestCheckRun(p.head.sha);
  if (run?.conclusion !== 'success') throw new Error(`expected a passing gate, got ${run?.conclusion}: ${run?.output.summary}`);
  const mark = gh.requests.length;
  await app.deliver('pull_request_review', payload);
  const perEval = gh.requests.slice(mark).map((r) => `${r.method} ${r.path}`);

  const body = JSON.stringify(payload);
  const latency = async (url) => {
    const times = [];
    for (let i = 0; i < N; i++) {
      const t0 = process.hrtime.bigint();
      const res = await deliverRaw(url, body);
      if (res !== 200) throw new Error(`delivery answered ${res}`);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    times.sort((a, b) => a - b);
    return { median: times[Math.floor(N / 2)], p99: times[Math.min(N - 1, Math.floor(N * 0.99))] };
  };
  const throughput = async (url) => {
    let next = 0;
    const t0 = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: C }, async () => {
        while (next < M) {
          next++;
          const res = await deliverRaw(url, body);
          if (res !== 200) throw new Error(`delivery answered ${res}`);
        }
      }),
    );
    return M / (Number(process.hrtime.bigint() - t0) / 1e9);
  };

  const gate = await latency(`${app.url}/api/github/webhooks`);
  const before = gh.checkRunsFor(p.head.sha).length;
  const gateRate = await throughput(`${app.url}/api/github/webhooks`);
  const written = gh.checkRunsFor(p.head.sha).length - before;
  if (written !== M) throw new Error(`expected ${M} check runs, got ${written}`);

  // Reference: HMAC check + 200 on a bare node:http server (same process as the client).
  const floor = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const ok = await verify(app.secret, Buffer.concat(chunks).toString(), req.headers['x-hub-signature-256']);
      res.writeHead(ok ? 200 : 400).end('ok\n');
    });
  });
  await new Promise((r) => floor.listen(0, '127.0.0.1', r));
  const floorUrl = `http://127.0.0.1:${floor.address().port}/`;
  const ref = await latency(floorUrl);
  const refRate = await throughput(floorUrl);
  floor.close();

  const f = (x) => x.toFixed(2);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
  console.log(`delivery → check run written (N=${N}, sequential): median ${f(gate.median)} ms, p99 ${f(gate.p99)} ms`);
  console.log(`reference (HMAC check + 200, bare node:http): median ${f(ref.median)} ms, p99 ${f(ref.p99)} ms  → ratio ${f(gate.median / ref.median)}×`);
  console.log(`sustained (M=${M}, concurrency ${C}): ${gateRate.toFixed(0)} deliveries/s (reference ${refRate.toFixed(0)}/s, ratio ${f(refRate / gateRate)}×)`);
  console.log(`GitHub API requests per evaluation (typical release PR, pull_request_review event): ${perEval.length}`);
  for (const r of perEval) console.log(`  ${r}`);

  async function deliverRaw(url, text) {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'pull_request_review',
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': await sign(app.secret, text),
      },
      body: text,
    });
    await res.arrayBuffer();
    return res.status;
  }
} finally {
  await app.stop();
  tmp.cleanup();
}
