import { isGateError } from '../core/errors.js';
import { digestFileRaw, HashingStopped } from './file-digest.js';
import type { ContentScanner, StreamFormat } from './fingerprint/types.js';
import { CHUNK_FILES, CHUNK_SHIFT, CTL, DIGEST_BYTES, type ChunkMessage, type WorkerReply } from './hash-protocol.js';

/** A chunk with typed views on its shared results. */
export interface ChunkView {
  paths: string[];
  scans: (StreamFormat | null)[];
  digests: Uint8Array;
  sizes: Float64Array;
}

export function viewOf(m: ChunkMessage): ChunkView {
  return { paths: m.paths, scans: m.scans, digests: new Uint8Array(m.digests), sizes: new Float64Array(m.sizes) };
}

/** How one hashing thread reaches the shared state. */
export interface ClaimContext {
  ctl: Int32Array;
  bytes: BigInt64Array;
  /** Chunk k (it was published before any of its files could be claimed). */
  chunk: (k: number) => ChunkView;
  report: (r: WorkerReply) => void;
  scannerFor?: (format: StreamFormat) => ContentScanner;
  /** Workers wait for more files while the walk goes on; the calling thread returns instead. */
  waitForMore: boolean;
  /** Also count bytes for the progress bar (one atomic add per read). */
  progress: boolean;
  /** Called after each count, on the thread that draws the bar. */
  afterBytes?: () => void;
}

/**
 * Claims the next unhashed file: its index, -1 when there is nothing left
 * (or a thread failed), -2 when nothing is published yet and `waitForMore`
 * is false.
 */
export function claim(ctl: Int32Array, waitForMore: boolean): number {
  for (;;) {
    if (Atomics.load(ctl, CTL.ABORT) !== 0) return -1;
    const c = Atomics.load(ctl, CTL.CLAIM);
    const p = Atomics.load(ctl, CTL.PUBLISHED);
    if (c < p) {
      if (Atomics.compareExchange(ctl, CTL.CLAIM, c, c + 1) === c) return c;
      continue;
    }
    if (Atomics.load(ctl, CTL.WALK_DONE) !== 0) {
      // The last publication precedes WALK_DONE: if nothing was added since p was read, all is claimed.
      if (Atomics.load(ctl, CTL.PUBLISHED) === p) return -1;
      continue;
    }
    if (!waitForMore) return -2;
    Atomics.wait(ctl, CTL.PUBLISHED, p, 100);
  }
}

/**
 * Hashes claimed files until none is left (or, for the calling thread, none
 * is published yet), with blocking reads into `buf`. Results go into the
 * chunks' shared memory; a failure is reported and stops every thread.
 * Returns -1 when finished, -2 when it stopped for lack of published files.
 */
export function hashClaimed(ctx: ClaimContext, buf: Buffer): number {
  const { ctl } = ctx;
  const onBytes = ctx.progress
    ? (n: number) => {
        Atomics.add(ctx.bytes, 0, BigInt(n));
        ctx.afterBytes?.();
      }
    : undefined;
  // A thread that failed stops the others within one read, even in a file of many GB.
  const shouldStop = (): boolean => Atomics.load(ctl, CTL.ABORT) !== 0;
  for (;;) {
    const i = claim(ctl, ctx.waitForMore);
    if (i < 0) return i;
    const c = ctx.chunk(i >> CHUNK_SHIFT);
    const j = i & (CHUNK_FILES - 1);
    const format = c.scans[j];
    const scanner = format && ctx.scannerFor ? ctx.scannerFor(format) : undefined;
    try {
      const r = digestFileRaw(c.paths[j]!, buf, { scanner, onBytes, shouldStop });
      c.digests.set(r.digest, j * DIGEST_BYTES);
      c.sizes[j] = r.size;
      if (scanner) ctx.report({ kind: 'fingerprint', id: i, fingerprint: scanner.finish() });
    } catch (e) {
      if (e instanceof HashingStopped) return -1;
      ctx.report(
        isGateError(e)
          ? { kind: 'error', id: i, code: e.code, message: e.message, hint: e.hint }
          : { kind: 'error', id: i, code: 'E_UNREADABLE', message: String((e as Error)?.message ?? e) },
      );
      Atomics.store(ctl, CTL.ABORT, 1);
      Atomics.notify(ctl, CTL.PUBLISHED);
      Atomics.notify(ctl, CTL.DONE);
      return -1;
    }
    Atomics.add(ctl, CTL.DONE, 1);
  }
}
