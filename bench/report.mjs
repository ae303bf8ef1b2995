#!/usr/bin/env node
// The compliance report's cost next to its reference, `model-gate audit
// verify`, on the same file-store log in the same process: the report
// verifies the whole log too, then reads the records again and renders.
// Usage: npm run build && node bench/report.mjs [RELEASES]   (default 500; 6 records per release)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const lib = join(fileURLToPath(new URL('..', import.meta.url)), 'lib');
const { runCli } = await import(join(lib, 'src/cli/program.js'));
const audit = await import(join(lib, 'src/audit/index.js'));
const sample = await import(join(lib, 'test/report/sample-log.js'));

const releases = Number(process.argv[2] ?? 500);
const dir = mkdtempSync(join(tmpdir(), 'mrg-bench-report-'));
try {
  const store = await audit.openStore(join(dir, 'log'), { env: {}, cwd: dir });
  const hex = (i, c) => `sha256:${c}${i.toString(16).padStart(63, '0')}`;
  let t = performance.now();
  for (let i = 0; i < releases; i++) {
    const model = hex(i, 'a');
    const meta = hex(i, 'b');
    for (const r of [
      sample.release(model, meta),
      sample.approval('alice', 'prod/senior-developer', [model, meta]),
      sample.approval('bob', 'prod/risk-manager', [model, meta]),
      sample.verdict('success', [model, meta]),
      audit.changeRequestRecord({ modelDigest: model, metadataDigest: meta }, { system: 'servicenow', number: `CHG${i}` }, { component: 'cli', actor: 'bot', created: true }),
      audit.deploymentDecisionRecord({ modelDigest: model, metadataDigest: meta }, { environment: 'production', decision: 'approved', reason: 'ok', change: { system: 'servicenow', number: `CHG${i}` } }, { component: 'app', actor: 'bot' }),
    ]) await audit.appendRecord([store], r);
  }
  const records = releases * 6;
  console.log(`log: ${records} records (${releases} releases) built in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const io = { stdout: () => {}, stderr: () => {}, env: {}, cwd: dir, stderrIsTty: false };
  // Median of 5 runs: the machine is shared, single runs are noisy.
  const time = async (args) => {
    const runs = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const code = await runCli(args, io);
      if (code !== 0) throw new Error(`${args.join(' ')}: exit ${code}`);
      runs.push(performance.now() - t0);
    }
    return runs.sort((a, b) => a - b)[2];
  };
  await time(['audit', 'verify', '--store', 'log']); // warm the page cache and the module loader
  const ref = await time(['audit', 'verify', '--store', 'log']);
  console.log(`reference  audit verify         ${ref.toFixed(0).padStart(6)} ms`);
  for (const f of ['json', 'md', 'html']) {
    const ms = await time(['report', '--store', 'log', '--format', f, '--out', join(dir, `r.${f}`)]);
    console.log(`report     --format ${f.padEnd(5)}       ${ms.toFixed(0).padStart(6)} ms   ${(ms / ref).toFixed(2)}x verify`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
