// One writer process for bench/audit-file.mjs: loads everything, reports
// "ready", waits for "go", then appends (or, as the reference, plainly
// creates) `count` records and reports how long that took.
import { closeSync, fsyncSync, openSync, writeSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { appendRecord, FileStore } from '../lib/src/audit/index.js';

const [mode, dir, countText, id] = process.argv.slice(2);
const count = Number(countText);
const store = new FileStore(dir);
const payload = Buffer.from('x'.repeat(360));

async function ours() {
  for (let i = 0; i < count; i++) {
    await appendRecord([store], { event_type: 'bench', component: 'bench', actor: `w${id}`, action: `append ${i}` });
  }
}

// Reference: exclusive create of a new file, write, fsync file and directory; no chain, no reads.
function raw() {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const fd = openSync(join(dir, `${id}-${i}.json`), 'wx', 0o444);
    writeSync(fd, payload);
    fsyncSync(fd);
    closeSync(fd);
    const d = openSync(dir, 'r');
    fsyncSync(d);
    closeSync(d);
  }
}

process.on('message', async (m) => {
  if (m !== 'go') return;
  const t0 = performance.now();
  if (mode === 'ours') await ours();
  else raw();
  process.send({ ms: performance.now() - t0 }, () => process.exit(0));
});
process.send('ready');
