/**
 * Worker thread: hashes the batches of files it is sent, one file at a time,
 * with blocking reads into one reused buffer. Loaded by hash-pool.ts from the
 * compiled .js next to it.
 */
import { parentPort } from 'node:worker_threads';
import { isGateError } from '../core/errors.js';
import { digestFileSync, READ_SIZE } from './file-digest.js';
import { scannerFor } from './fingerprint/scanner-for.js';
import type { HashBatch, HashDone, HashReply } from './hash-protocol.js';

/** Report progress at most this often (bytes), so big files move the bar. */
const PROGRESS_STEP = 64 * 1024 * 1024;

const port = parentPort;
if (!port) throw new Error('hash-worker.js must run as a worker thread');
const buf = Buffer.allocUnsafe(READ_SIZE);

port.on('message', (batch: HashBatch) => {
  const results: HashDone[] = [];
  let unreported = 0;
  const onBytes = (n: number): void => {
    unreported += n;
    if (unreported >= PROGRESS_STEP) {
      port.postMessage({ kind: 'progress', bytes: unreported } satisfies HashReply);
      unreported = 0;
    }
  };
  for (const task of batch) {
    try {
      const scanner = task.scan ? scannerFor(task.scan) : undefined;
      const r = digestFileSync(task.path, buf, { scanner, onBytes });
      results.push({ id: task.id, hex: r.hex, size: r.size, fingerprint: scanner?.finish() });
    } catch (e) {
      port.postMessage(
        (isGateError(e)
          ? { kind: 'error', id: task.id, code: e.code, message: e.message, hint: e.hint }
          : { kind: 'error', id: task.id, code: 'E_UNREADABLE', message: String((e as Error)?.message ?? e) }) satisfies HashReply,
      );
      return;
    }
  }
  port.postMessage({ kind: 'done', results, tail: unreported } satisfies HashReply);
});
