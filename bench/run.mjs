#!/usr/bin/env node
// `npm run bench`: every benchmark in turn, each printing its figures next to
// a reference measured in the same run. The S3 one needs a server: start it
// with `scripts/s3-server.sh start` and export the MRG_TEST_S3_* lines it
// prints, or it is skipped with a note; the Kafka one likewise needs
// `scripts/kafka-server.sh start` (MRG_TEST_KAFKA_*). Results go in bench/README.md by hand,
// with the machine and its load.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const benches = [
  ['hash.mjs', []],
  ['audit-file.mjs', ['100000', '400']],
  ['evaluate.mjs', []],
  ['app.mjs', []],
  ['report.mjs', ['200']],
];
if (process.env.MRG_TEST_S3_ENDPOINT) benches.push(['audit-s3.mjs', ['150', '10000']]);
if (process.env.MRG_TEST_KAFKA_BROKERS) benches.push(['audit-stream.mjs', ['100000', '3']]);
else console.log('skipping audit-stream.mjs: no MRG_TEST_KAFKA_BROKERS (run scripts/kafka-server.sh start and export its lines)');
else console.log('skipping audit-s3.mjs: no MRG_TEST_S3_ENDPOINT (run scripts/s3-server.sh start and export its lines)');

let failed = 0;
for (const [file, args] of benches) {
  console.log(`\n== ${file} ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [join(here, file), ...args], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
