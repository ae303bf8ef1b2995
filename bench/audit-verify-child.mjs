// One measurement for bench/audit-file.mjs, in its own process so that its
// peak RSS is its own: `node bench/audit-verify-child.mjs ours|reference DIR`.
// Prints {records, ms, cpuMs, maxRssKiB} as JSON.
//   ours:      verifyLog over the file store (the CLI's `audit verify`)
//   reference: plain readdir, then read + SHA-256 of every entry file, nothing kept
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileStore, verifyLog } from '../lib/src/audit/index.js';

const [mode, dir] = process.argv.slice(2);
const t0 = performance.now();
const c0 = process.cpuUsage();
let records;
if (mode === 'ours') {
  const r = await verifyLog([new FileStore(dir)]);
  if (!r.ok) throw new Error(`bench chain did not verify: ${JSON.stringify(r.findings.slice(0, 3))}`);
  records = r.size;
} else {
  const names = readdirSync(join(dir, 'entries')).sort();
  for (const n of names) createHash('sha256').update(readFileSync(join(dir, 'entries', n))).digest('hex');
  records = names.length;
}
const cpu = process.cpuUsage(c0);
console.log(JSON.stringify({ records, ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000, maxRssKiB: process.resourceUsage().maxRSS }));
