/**
 * Worker thread: hashes the files it is sent, one at a time, with blocking
 * reads into one reused buffer. Loaded by hash-pool.ts from the compiled .js
 * next to it.
 */
import { parentPort } from 'node:worker_threads';
import { isGateError } from '../core/errors.js';
import { digestFileSync, READ_SIZE } from './file-digest.js';
import { scannerFor } from './fingerprint/scanner-for.js';
import type { HashReply, HashTask } from './hash-protocol.js';

/** Report progress at most this often (bytes), so big files move the bar. */
const PROGRESS_STEP = 64 * 1024 * 1024;

const port = parentPort;
if (!port) throw new Error('hash-worker.js must run as a worker thread');
const buf = Buffer.allocUnsafe(READ_SIZE);

port.on('message', (task: HashTask) => {
  let reply: HashReply;
  let unreported = 0;
  try {
    const scanner = task.scan ? scannerFor(task.scan) : undefined;
    const r = digestFileSync(task.path, buf, {
      scanner,
      onBytes: (n) => {
        unreported += n;
        if (unreported >= PROGRESS_STEP) {
          port.postMessage({ id: task.id, kind: 'progress', bytes: unreported } satisfies HashReply);
          unreported = 0;
        }
      },
    });
    reply = { id: task.id, kind: 'done', hex: r.hex, size: r.size, fingerprint: scanner?.finish(), tail: unreported };
  } catch (e) {
    reply = isGateError(e)
      ? { id: task.id, kind: 'error', code: e.code, message: e.message, where: e.where, hint: e.hint }
      : { id: task.id, kind: 'error', code: 'E_UNREADABLE', message: String((e as Error)?.message ?? e), where: task.path };
  }
  port.postMessage(reply);
});
