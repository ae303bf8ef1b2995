#!/usr/bin/env node
// The floor for `model-gate hash DIR` on two threads: the least a Node
// program can do to print the same dirHash1. One file; the whole listing
// first; one worker; files claimed through one shared counter; blocking
// reads into a reused buffer; node:crypto's one-shot SHA-256; a look at each
// file before and after it is read, as ours does. None of our checks of
// names, types or changes, no progress, no errors worth the name: a bound,
// not a contender. For the bench's tree (plain ASCII names).
//   node bench/harness/floor-many-files.mjs DIR
import { createHash, hash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isMainThread, Worker, workerData } from 'node:worker_threads';

function claimAndHash(ctl, paths, out) {
  const buf = Buffer.allocUnsafeSlow(1 << 20);
  for (let i = Atomics.add(ctl, 0, 1); i < paths.length; i = Atomics.add(ctl, 0, 1)) {
    const fd = openSync(paths[i], 'r');
    fstatSync(fd, { bigint: true });
    const n = readSync(fd, buf, 0, buf.length, 0);
    out.set(hash('sha256', buf.subarray(0, n), 'buffer'), i * 32);
    fstatSync(fd, { bigint: true });
    closeSync(fd);
  }
}

if (isMainThread) {
  const root = process.argv[2];
  const rel = readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(root, join(d.parentPath, d.name)))
    .sort();
  const abs = rel.map((p) => join(root, p));
  const ctl = new Int32Array(new SharedArrayBuffer(4));
  const out = new Uint8Array(new SharedArrayBuffer(rel.length * 32));
  const worker = new Worker(new URL(import.meta.url), { workerData: { ctl: ctl.buffer, abs, out: out.buffer } });
  claimAndHash(ctl, abs, out);
  await new Promise((resolve) => worker.on('exit', resolve));
  const hex = Buffer.from(out).toString('hex');
  let text = '';
  for (let i = 0; i < rel.length; i++) text += `${hex.slice(i * 64, i * 64 + 64)}  ${rel[i]}\n`;
  console.log(`sha256:${createHash('sha256').update(text).digest('hex')}  ${root}`);
} else {
  claimAndHash(new Int32Array(workerData.ctl), workerData.abs, new Uint8Array(workerData.out));
}
