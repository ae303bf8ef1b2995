import { createHash } from 'node:crypto';
import { readSync } from 'node:fs';
import { claim } from './hash-claim.js';
import { CTL, DIGEST_BYTES, type WorkerReply } from './hash-protocol.js';

/** How one thread reaches the shared state of a sharded hash. */
export interface ShardContext {
  ctl: Int32Array;
  bytes: BigInt64Array;
  fd: number;
  ranges: readonly [number, number][];
  digests: Uint8Array;
  report: (r: WorkerReply) => void;
  /** Called after each read, on the thread that draws the progress bar. */
  afterBytes?: () => void;
}

/**
 * Claims shards and hashes each (plain SHA-256 of its byte range, blocking
 * positioned reads into `buf`) until none is left or a thread failed. A
 * shard that ends before its range does (the file shrank) is reported and
 * stops every thread; so does a read error.
 */
export function hashClaimedShards(ctx: ShardContext, buf: Buffer): void {
  const { ctl } = ctx;
  for (;;) {
    const k = claim(ctl, false);
    if (k < 0) return;
    const [start, end] = ctx.ranges[k]!;
    const hash = createHash('sha256');
    try {
      for (let pos = start; pos < end; ) {
        if (Atomics.load(ctl, CTL.ABORT) !== 0) return;
        const n = readSync(ctx.fd, buf, 0, Math.min(buf.length, end - pos), pos);
        if (n === 0) {
          ctx.report({ kind: 'error', id: k, code: 'E_INPUT', message: `file changed while hashing (shard ${start}-${end} ended at byte ${pos})` });
          return abort(ctl);
        }
        hash.update(n === buf.length ? buf : buf.subarray(0, n));
        pos += n;
        Atomics.add(ctx.bytes, 0, BigInt(n));
        ctx.afterBytes?.();
      }
    } catch (e) {
      ctx.report({ kind: 'error', id: k, code: 'E_UNREADABLE', message: `cannot read: ${(e as Error)?.message ?? e}` });
      return abort(ctl);
    }
    ctx.digests.set(hash.digest(), k * DIGEST_BYTES);
    Atomics.add(ctl, CTL.DONE, 1);
  }
}

function abort(ctl: Int32Array): void {
  Atomics.store(ctl, CTL.ABORT, 1);
  Atomics.notify(ctl, CTL.DONE);
}
