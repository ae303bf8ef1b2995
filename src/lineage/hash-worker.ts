/**
 * Worker thread of the hash pool (hash-pool.ts): claims files from the shared
 * list and hashes them with blocking reads into one reused buffer until none
 * is left, then ends. It never returns to its event loop while working:
 * chunks are taken from its port synchronously, results written to shared
 * memory. Loaded by hash-pool.ts from the compiled .js next to it.
 */
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { CHUNK_SHIFT, CTL, type ChunkMessage, type WorkerInit, type WorkerReply } from './hash-protocol.js';
import { hashClaimed, viewOf, type ChunkView } from './hash-claim.js';
import { READ_SIZE } from './file-digest.js';
// Static, not on demand: the Action bundles this worker on its own, as one file.
import { scannerFor as scannerForFormat } from './fingerprint/scanner-for.js';

const init = workerData as WorkerInit | undefined;
if (!init?.port) throw new Error('hash-worker.js must run as a worker of the hash pool');
const { port } = init;
const ctl = new Int32Array(init.ctl);
const scannerFor = init.scan ? scannerForFormat : undefined;

const chunks: ChunkView[] = [];
const chunk = (k: number): ChunkView => {
  while (chunks[k] === undefined) {
    const m = receiveMessageOnPort(port);
    if (!m) throw new Error(`hash worker: chunk ${k} was claimed before it was sent`);
    const c = m.message as ChunkMessage;
    chunks[c.base >> CHUNK_SHIFT] = viewOf(c);
  }
  return chunks[k]!;
};

try {
  hashClaimed(
    {
      ctl,
      bytes: new BigInt64Array(init.bytes),
      chunk,
      report: (r: WorkerReply) => port.postMessage(r),
      scannerFor,
      waitForMore: true,
      progress: true,
    },
    Buffer.allocUnsafeSlow(READ_SIZE),
  );
} finally {
  // Wake the pool, which may be waiting for the last files to be done.
  Atomics.notify(ctl, CTL.DONE);
  port.close();
}
