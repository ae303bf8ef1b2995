// A child process of bench/tlog-s3.mjs: COUNT appends to one log, each with a
// freshly opened store (as one CLI or Action run would), printing one JSON
// line per append: {"writer", "i", "seq", "ms"}.
//   node bench/tlog-s3-worker.mjs STORE_URL MODE WRITER COUNT
// MODE `entries`: `appendRecord` only (the log before tiles);
// MODE `tiles`: `appendAndCheckpoint` without a key, what `audit append` runs
// (the entry, then its tiles and the bundle when one fills).
import { appendAndCheckpoint, appendRecord, openStore } from '../lib/src/audit/index.js';

const [url, mode, writerText, countText] = process.argv.slice(2);
const writer = Number(writerText);
const count = Number(countText);
if (mode !== 'entries' && mode !== 'tiles') throw new Error(`mode must be entries or tiles, not ${mode}`);
const env = { AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY };
const input = (i) => ({
  event_type: 'model.release.approved', component: 'app', actor: `writer-${writer}`,
  action: 'approved the release of models/prod/model.onnx',
  subject: [`sha256:${'b'.repeat(64)}`],
  details: { repository: 'bench/repo', pull_request: 7, head_sha: 'a'.repeat(40), writer, i },
  compliance_tags: ['SEC-17a-4', 'FINRA-4511'],
});
for (let i = 0; i < count; i++) {
  const t0 = performance.now();
  const store = await openStore(url, { env });
  const seq = mode === 'entries'
    ? (await appendRecord([store], input(i))).seq
    : (await appendAndCheckpoint([store], [input(i)])).records[0].seq;
  process.stdout.write(`${JSON.stringify({ writer, i, seq, ms: performance.now() - t0 })}\n`);
}
