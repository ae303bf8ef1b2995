import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { GateError, type ErrorCode } from '../core/errors.js';
import { digestFileAdaptive, READ_SIZE } from './file-digest.js';
import { scannerFor } from './fingerprint/scanner-for.js';
import type { Fingerprint, StreamFormat } from './fingerprint/types.js';
import type { HashBatch, HashReply } from './hash-protocol.js';

export interface PoolFile {
  path: string;
  /** Where to name the file in errors. */
  where: string;
  scan?: StreamFormat;
}

export interface PoolResult {
  hex: string;
  size: number;
  fingerprint?: Fingerprint;
}

/** Most files in one batch. Batches shrink towards the end so all hashers finish together. */
const MAX_BATCH = 16;

/**
 * Hashes many files in parallel: on worker threads (one per core but one by
 * default) and on this thread, which starts at once while the workers boot
 * (a worker costs ~100 ms of CPU to start, as much as hashing 100 MB).
 * Each worker keeps two batches queued; this thread yields between its own
 * batches so the workers' results are taken in. Results come back in input
 * order; the first error stops the run.
 */
export async function hashFilesInParallel(
  files: readonly PoolFile[],
  opts: { workers?: number; onBytes?: (n: number) => void } = {},
): Promise<PoolResult[]> {
  const results: PoolResult[] = new Array(files.length);
  if (files.length === 0) return results;
  const hashers = (opts.workers ?? availableParallelism() - 1) + 1;
  const workerCount = Math.max(0, Math.min(hashers - 1, files.length - 1));
  const workers: Worker[] = [];
  let next = 0;
  let finished = 0;
  let error: unknown;
  let settle: (() => void) | undefined;
  const allDone = new Promise<void>((resolve) => (settle = resolve));
  const check = (): void => {
    if (error !== undefined || finished === files.length) settle!();
  };
  const fail = (e: unknown): void => {
    if (error === undefined) error = e;
    check();
  };
  const takeBatch = (): HashBatch => {
    const left = files.length - next;
    const size = Math.max(1, Math.min(MAX_BATCH, Math.floor(left / ((workerCount + 1) * 4))));
    const batch: HashBatch = [];
    for (let i = 0; i < size && next < files.length; i++, next++) {
      batch.push({ id: next, path: files[next]!.path, scan: files[next]!.scan });
    }
    return batch;
  };
  const send = (w: Worker): void => {
    if (error === undefined && next < files.length) w.postMessage(takeBatch());
  };
  try {
    for (let i = 0; i < workerCount; i++) {
      // The worker is the compiled hash-worker.js beside this file.
      const w = new Worker(new URL('./hash-worker.js', import.meta.url));
      workers.push(w);
      w.on('error', fail);
      w.on('exit', (code) => {
        if (finished < files.length) fail(new GateError('E_SERVICE', `hash worker stopped (exit ${code})`));
      });
      w.on('message', (m: HashReply) => {
        if (m.kind === 'progress') {
          opts.onBytes?.(m.bytes);
          return;
        }
        if (m.kind === 'error') {
          fail(new GateError(m.code as ErrorCode, m.message, { where: files[m.id]!.where, hint: m.hint }));
          return;
        }
        for (const r of m.results) results[r.id] = { hex: r.hex, size: r.size, fingerprint: r.fingerprint };
        finished += m.results.length;
        opts.onBytes?.(m.tail);
        send(w);
        check();
      });
      send(w);
      send(w);
    }
    // This thread's share.
    const buf = Buffer.allocUnsafe(READ_SIZE);
    while (error === undefined && next < files.length) {
      for (const task of takeBatch()) {
        const scanner = task.scan ? scannerFor(task.scan) : undefined;
        try {
          const r = await digestFileAdaptive(task.path, buf, { scanner, onBytes: opts.onBytes });
          results[task.id] = { hex: r.hex, size: r.size, fingerprint: scanner?.finish() };
        } catch (e) {
          const g = e instanceof GateError ? e : undefined;
          fail(g ? new GateError(g.code, g.message, { where: files[task.id]!.where, hint: g.hint, cause: g.cause }) : e);
          break;
        }
        finished++;
      }
      check();
      await new Promise<void>((r) => setImmediate(r)); // let the workers' messages in
    }
    check();
    await allDone;
    if (error !== undefined) throw error;
    return results;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
