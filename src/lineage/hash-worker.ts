/**
 * Worker thread of the hash pool (hash-pool.ts) and of sharded hashing
 * (shard-hash.ts): claims files (or shards of one file) from the shared list
 * and hashes them with blocking reads into one reused buffer until none is
 * left, then ends. It never returns to its event loop while working: chunks
 * are taken from its port synchronously, results written to shared memory.
 * Loaded from the compiled .js next to it.
 */
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { CHUNK_SHIFT, CTL, type ChunkMessage, type FilesInit, type ShardsInit, type WorkerInit, type WorkerReply } from './hash-protocol.js';
import { hashClaimedShards } from './shard-claim.js';
import { hashClaimed, viewOf, type ChunkView } from './hash-claim.js';
import { READ_SIZE } from './file-digest.js';
// Static, not on demand: the Action bundles this worker on its own, as one file.
import { scannerFor as scannerForFormat } from './fingerprint/scanner-for.js';

const init = workerData as WorkerInit | undefined;
if (!init?.port) throw new Error('hash-worker.js must run as a worker of the hash pool');
const buf = Buffer.allocUnsafeSlow(READ_SIZE);
try {
  if (init.kind === 'shards') hashShards(init);
  else hashFiles(init);
} finally {
  // Wake the calling thread, which may be waiting for the last files to be done.
  Atomics.notify(new Int32Array(init.ctl), CTL.DONE);
  init.port.close();
}

function hashFiles(init: FilesInit): void {
  const { port } = init;
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
  hashClaimed(
    {
      ctl: new Int32Array(init.ctl),
      bytes: new BigInt64Array(init.bytes),
      chunk,
      report: (r: WorkerReply) => port.postMessage(r),
      scannerFor: init.scan ? scannerForFormat : undefined,
      waitForMore: true,
      progress: true,
    },
    buf,
  );
}

function hashShards(init: ShardsInit): void {
  hashClaimedShards(
    {
      ctl: new Int32Array(init.ctl),
      bytes: new BigInt64Array(init.bytes),
      fd: init.fd,
      ranges: init.ranges,
      digests: new Uint8Array(init.digests),
      report: (r: WorkerReply) => init.port.postMessage(r),
    },
    buf,
  );
}
