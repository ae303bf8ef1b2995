#!/usr/bin/env node
// `npm run bench`: every benchmark in turn, each printing its figures next to
// a reference measured in the same run, then every goal's ratio and whether
// it is met (the GOAL lines the benchmarks print) and, beside a goal set
// below what any program here reaches, that floor (the FLOOR lines). The S3
// one needs a server: start it with `scripts/s3-server.sh start` and export
// the MRG_TEST_S3_* lines it prints, or it is skipped with a note; the Kafka
// one likewise needs `scripts/kafka-server.sh start` (MRG_TEST_KAFKA_*). The
// Action's start-up is measured on dist/ as it is: run `npm run package`
// first to measure the current sources. Results go in bench/README.md by
// hand, with the machine and its load. Not a CI check: shared machines are
// too noisy for a gate.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const benches = [
  ['startup.mjs', []],
  ['hash.mjs', []],
  ['audit-file.mjs', ['100000', '400']],
  // The memory bound: verify of 1,000,000 records with peak RSS (verification only).
  ['audit-file.mjs', ['1000000', '0']],
  ['evaluate.mjs', []],
  ['app.mjs', []],
  ['report.mjs', ['200']],
  ['tlog-file.mjs', ['100000', '3', '1024']],
];
if (process.env.MRG_TEST_S3_ENDPOINT) benches.push(['audit-s3.mjs', ['150', '10000']], ['tlog-s3.mjs', ['100', '8', '50']], ['tlog-s3-verify.mjs', ['100000']]);
else console.log('skipping audit-s3.mjs, tlog-s3.mjs, tlog-s3-verify.mjs: no MRG_TEST_S3_ENDPOINT (run scripts/s3-server.sh start and export its lines)');
if (process.env.MRG_TEST_KAFKA_BROKERS) benches.push(['audit-stream.mjs', ['100000', '3']]);
else console.log('skipping audit-stream.mjs: no MRG_TEST_KAFKA_BROKERS (run scripts/kafka-server.sh start and export its lines)');

let failed = 0;
const goals = [];
for (const [file, args] of benches) {
  console.log(`\n== ${file} ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [join(here, file), ...args], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 1 << 26 });
  process.stdout.write(r.stdout ?? '');
  for (const line of (r.stdout ?? '').split('\n')) {
    if (line.startsWith('GOAL ')) goals.push(`${file}: ${line.slice(5)}`);
    else if (line.startsWith('FLOOR ')) goals.push(`${file}:   floor for ${line.slice(6)}`);
  }
  if (r.status !== 0) failed++;
}
console.log('\n== goals');
for (const g of goals) console.log(`  ${g}`);
const verdicts = goals.filter((g) => / (met|NOT MET)$/.test(g));
console.log(`${verdicts.filter((g) => / met$/.test(g)).length} of ${verdicts.length} goals met${failed ? `; ${failed} benchmark(s) failed` : ''}`);
process.exit(failed ? 1 : 0);
