import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { GateError, type ErrorCode } from '../core/errors.js';
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

/** Most files in one message. Batches shrink towards the end so the workers finish together. */
const MAX_BATCH = 16;

/**
 * Hashes many files on worker threads, one per core by default. Each worker
 * keeps two batches queued so it never waits for the main thread between
 * files. Results come back in input order; the first error stops the run.
 */
export async function hashFilesInWorkers(
  files: readonly PoolFile[],
  opts: { workers?: number; onBytes?: (n: number) => void } = {},
): Promise<PoolResult[]> {
  const results: PoolResult[] = new Array(files.length);
  if (files.length === 0) return results;
  const count = Math.max(1, Math.min(opts.workers ?? availableParallelism(), files.length));
  const workers: Worker[] = [];
  let next = 0;
  let finished = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (e: unknown): void => {
        if (failed) return;
        failed = true;
        reject(e);
      };
      const send = (w: Worker): void => {
        if (failed || next >= files.length) return;
        const left = files.length - next;
        const size = Math.max(1, Math.min(MAX_BATCH, Math.floor(left / (count * 4))));
        const batch: HashBatch = [];
        for (let i = 0; i < size && next < files.length; i++, next++) {
          batch.push({ id: next, path: files[next]!.path, scan: files[next]!.scan });
        }
        w.postMessage(batch);
      };
      for (let i = 0; i < count; i++) {
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
          if (finished === files.length) resolve();
          else send(w);
        });
        send(w);
        send(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
