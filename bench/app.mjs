#!/usr/bin/env node
// The App end to end on loopback, for a typical release PR (two roles, two
// SSH-signed approvals, a model with its metadata.json and a README): a
// signed webhook delivery until the *completed* check run is written (the App
// answers GitHub once its in_progress run is written and finishes in the
// background), median and p99, with the App server's CPU time; deliveries per
// second at concurrency C; and the GitHub API requests one evaluation makes.
//
// Reference in the same run: a bare node:http server that only checks the
// webhook HMAC and answers 200 (the floor of one signed delivery on loopback).
// BENCH_ROOTS=dirA,dirB runs the same measurement against other builds in turn
// (each a directory holding lib/ and package.json, e.g. a build of an earlier
// commit), so before and after share the machine's load.
//
// Run after a build:  npx tsc -p tsconfig.json && node bench/app.mjs
// Bounded: N sequential deliveries, then M at concurrency C; all on 127.0.0.1.
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sign, verify } from '@octokit/webhooks-methods';

const here = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROOTS = (process.env.BENCH_ROOTS ?? here).split(',').filter(Boolean);
const N = Number(process.env.BENCH_N ?? 200);
const M = Number(process.env.BENCH_M ?? 400);
const C = Number(process.env.BENCH_C ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);

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
const TICK = 100; // Linux USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s

/** CPU seconds (user + system) of the App server processes this benchmark started. */
function serverCpu() {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[1]) !== process.pid) continue; // ppid
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('server.js')) continue;
      ticks += Number(f[11]) + Number(f[12]); // utime, stime
    } catch {
      /* the process went away */
    }
  }
  return ticks / TICK;
}

async function measure(root) {
  const h = await import(join(root, 'lib/test/helpers/app-harness.js'));
  const { buildStatement, statementBytes } = await import(join(root, 'lib/src/approval/statement.js'));
  // LOG_LEVEL info: one structured log line per evaluation, as in production.
  const app = await h.startApp({ validate: false, nodeArgs: process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [] });
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
    const body = JSON.stringify(payload);

    // Completed runs on the head, counted as they are written (an event where
    // the double has one; a short poll on builds whose double has none).
    let completed = 0;
    const waiters = [];
    if (gh.events) {
      gh.events.on('completed', (c) => {
        if (c.head_sha !== p.head.sha) return;
        completed++;
        for (const w of waiters.filter((x) => x.n <= completed)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      });
    }
    const done = () => (gh.events ? completed : gh.checkRunsFor(p.head.sha).filter((c) => c.status === 'completed').length);
    const waitFor = async (n) => {
      if (gh.events) {
        if (completed >= n) return;
        await new Promise((resolve) => waiters.push({ n, resolve }));
        return;
      }
      // A build whose double has no completion event (it wrote completed runs in the response of a POST).
      while (done() < n) await new Promise((r) => setTimeout(r, 1));
    };
    const url = `${app.url}/api/github/webhooks`;
    const evaluate = async () => {
      const target = done() + 1;
      const res = await deliverRaw(url, body, app.secret);
      if (res !== 200 && res !== 202) throw new Error(`delivery answered ${res}`);
      await waitFor(target);
    };

    // Warm up (token, JIT), and list one evaluation's requests.
    for (let i = 0; i < 5; i++) await evaluate();
    const run = gh.latestCheckRun(p.head.sha);
    if (run?.conclusion !== 'success') throw new Error(`expected a passing gate, got ${run?.conclusion}: ${run?.output.summary}`);
    const mark = gh.requests.length;
    await evaluate();
    const perEval = gh.requests.slice(mark).map((r) => `${r.method} ${r.path}`);

    const times = [];
    const cpu0 = serverCpu();
    const w0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) {
      const t0 = process.hrtime.bigint();
      await evaluate();
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const wall = Number(process.hrtime.bigint() - w0) / 1e9;
    const cpu = serverCpu() - cpu0;
    times.sort((a, b) => a - b);

    let next = 0;
    const before = done();
    const t0 = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: C }, async () => {
        while (next < M) {
          next++;
          const res = await deliverRaw(url, body, app.secret);
          if (res !== 200 && res !== 202) throw new Error(`delivery answered ${res}`);
        }
      }),
    );
    await waitFor(before + M);
    const rate = M / (Number(process.hrtime.bigint() - t0) / 1e9);
    return {
      median: times[Math.floor(N / 2)],
      p99: times[Math.min(N - 1, Math.floor(N * 0.99))],
      cpuPerEval: (cpu / N) * 1000,
      wallPerEval: (wall / N) * 1000,
      rate,
      perEval,
      secret: app.secret,
    };
  } finally {
    await app.stop();
    tmp.cleanup();
  }
}

async function reference(secret, body) {
  const floor = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const ok = await verify(secret, Buffer.concat(chunks).toString(), req.headers['x-hub-signature-256']);
      res.writeHead(ok ? 200 : 400).end('ok\n');
    });
  });
  await new Promise((r) => floor.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${floor.address().port}/`;
  const times = [];
  for (let i = 0; i < N; i++) {
    const t0 = process.hrtime.bigint();
    await deliverRaw(url, body, secret);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  floor.close();
  return { median: times[Math.floor(N / 2)], p99: times[Math.min(N - 1, Math.floor(N * 0.99))] };
}

async function deliverRaw(url, text, secret) {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'pull_request_review',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': await sign(secret, text),
    },
    body: text,
  });
  await res.arrayBuffer();
  return res.status;
}

const f = (x) => x.toFixed(2);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const results = new Map(ROOTS.map((r) => [r, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const root of ROOTS) results.get(root).push(await measure(root));
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const root of ROOTS) {
  const rs = results.get(root);
  const ref = await reference(rs[0].secret, '{"zen":"x"}');
  console.log(`\n${root} (median of ${rs.length} round${rs.length > 1 ? 's' : ''})`);
  console.log(`  delivery → completed check run (N=${N}, sequential): median ${f(med(rs.map((r) => r.median)))} ms, p99 ${f(med(rs.map((r) => r.p99)))} ms`);
  console.log(`  App server CPU per evaluation: ${f(med(rs.map((r) => r.cpuPerEval)))} ms (wall ${f(med(rs.map((r) => r.wallPerEval)))} ms)`);
  console.log(`  reference (HMAC check + 200, bare node:http): median ${f(ref.median)} ms → ratio ${f(med(rs.map((r) => r.median)) / ref.median)}×`);
  console.log(`  sustained (M=${M}, concurrency ${C}): ${med(rs.map((r) => r.rate)).toFixed(0)} evaluations/s`);
  console.log(`  GitHub API requests per evaluation (pull_request_review event): ${rs[0].perEval.length}`);
  for (const r of rs[0].perEval) console.log(`    ${r}`);
}
