// How much parallel CPU the machine gives this process right now: SHA-256 of
// the same in-memory buffer on one thread, then on two at once. On an idle
// 2-core machine two threads do ~2x the work; on a shared one (or in a
// cgroup with a CPU quota) often barely more than one, and then no wall-time
// goal that needs two cores can show.
import { hash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';

const buf = Buffer.alloc(1 << 20, 7);
const work = (n) => {
  for (let i = 0; i < n; i++) hash('sha256', buf, 'buffer');
};

if (!isMainThread) {
  parentPort.on('message', (n) => {
    work(n);
    parentPort.postMessage('done');
  });
}

/** Throughput of two threads over one, median of `rounds` (each ~n MiB per thread). */
export async function parallelScaling(n = 400, rounds = 3) {
  const w = new Worker(new URL(import.meta.url));
  const ratios = [];
  try {
    for (let r = 0; r < rounds; r++) {
      let t = performance.now();
      work(n);
      const one = performance.now() - t;
      t = performance.now();
      const done = new Promise((res) => w.once('message', res));
      w.postMessage(n);
      work(n);
      await done;
      ratios.push((2 * one) / (performance.now() - t));
    }
  } finally {
    await w.terminate();
  }
  return ratios.sort((a, b) => a - b)[ratios.length >> 1];
}
