import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { receiveMessageOnPort } from 'node:worker_threads';
import type { ErrorCode } from '../core/errors.js';
import { GateError } from '../core/errors.js';
import { shardRanges, SHARD_SIZE } from '../core/shard-digest.js';
import { assertUnchanged, changedWhileHashing, OPEN_FLAGS, READ_SIZE } from './file-digest.js';
import type { ContentScanner } from './fingerprint/types.js';
import { fsError, kindOf, unsupportedType } from './fs-errors.js';
import { CTL, CTL_LENGTH, DIGEST_BYTES, type WorkerReply } from './hash-protocol.js';
import { spawnHashWorker, waitAsync, workersEnded, type HashWorker } from './hash-pool.js';
import { hashClaimedShards } from './shard-claim.js';

/** What {@link hashFileShards} computed. */
export interface FileShards {
  size: number;
  /** SHA-256 of each shard, in range order. */
  shards: Buffer[];
  /** Plain SHA-256 of the whole file (hex), when asked for. */
  plainHex?: string;
}

/**
 * Hashes the shards of one file on worker threads and this thread at once,
 * and with `plain`, the plain SHA-256 of the whole file at the same time on
 * this thread (it cannot be split: SHA-256 is sequential), so the file is read
 * twice concurrently from the page cache and the wall time is that of the
 * plain digest on a machine with two or more cores. Without `plain` every
 * thread hashes shards, so the wall time shrinks with the cores.
 *
 * The file is opened and checked once here; workers read through the same
 * descriptor. A file that changed while it was read is refused as
 * {@link hashPath} refuses it.
 */
export async function hashFileShards(
  abs: string,
  where: string,
  opts: { plain: boolean; shardSize?: number; workers?: number; onBytes?: (n: number) => void; scanner?: ContentScanner },
): Promise<FileShards> {
  let fd: number;
  try {
    fd = openSync(abs, OPEN_FLAGS);
  } catch (e) {
    throw fsError(e, where);
  }
  const workers: HashWorker[] = [];
  const ctl = new Int32Array(new SharedArrayBuffer(CTL_LENGTH * 4));
  try {
    const before = fstatSync(fd, { bigint: true });
    const kind = kindOf(before);
    if (kind !== 'file') throw unsupportedType(kind, where);
    const size = Number(before.size);
    const ranges = shardRanges(size, opts.shardSize ?? SHARD_SIZE);
    const digests = new Uint8Array(new SharedArrayBuffer(Math.max(1, ranges.length) * DIGEST_BYTES));
    const bytes = new BigInt64Array(new SharedArrayBuffer(8));
    Atomics.store(ctl, CTL.PUBLISHED, ranges.length);
    Atomics.store(ctl, CTL.WALK_DONE, 1);
    let error: GateError | undefined;
    const fail = (e: GateError): void => {
      error ??= e;
      Atomics.store(ctl, CTL.ABORT, 1);
      Atomics.notify(ctl, CTL.DONE);
    };
    const take = (r: WorkerReply): void => {
      if (r.kind === 'error') fail(new GateError(r.code as ErrorCode, r.message, { where, hint: 'hash models only when nothing is writing to them' }));
    };
    let reported = 0n;
    const progress = (): void => {
      if (!opts.onBytes) return;
      const now = Atomics.load(bytes, 0);
      if (now > reported) {
        opts.onBytes(Number(now - reported));
        reported = now;
      }
    };
    // A file of one shard: that shard's digest is the plain one, one pass does both.
    const onePass = opts.plain && ranges.length <= 1;
    // With the plain digest to do here, every other core (at least one thread) takes shards;
    // without it, this thread takes shards too. `workers: 0` keeps everything on this thread.
    const wanted = opts.workers ?? Math.max(opts.plain ? 1 : 0, availableParallelism() - 1);
    const n = onePass ? 0 : Math.max(0, Math.min(ranges.length - (opts.plain ? 0 : 1), wanted));
    for (let i = 0; i < n; i++) {
      workers.push(
        spawnHashWorker(
          (port) => ({ kind: 'shards', ctl: ctl.buffer as SharedArrayBuffer, bytes: bytes.buffer as SharedArrayBuffer, port, fd, ranges, digests: digests.buffer as SharedArrayBuffer }),
          fail,
        ),
      );
    }
    const buf = Buffer.allocUnsafeSlow(READ_SIZE);
    let plainHex: string | undefined;
    if (opts.plain) {
      const hash = createHash('sha256');
      let pos = 0;
      for (;;) {
        if (Atomics.load(ctl, CTL.ABORT) !== 0) break;
        const r = readSync(fd, buf, 0, buf.length, pos);
        if (r === 0) break;
        const chunk = r === buf.length ? buf : buf.subarray(0, r);
        hash.update(chunk);
        opts.scanner?.push(chunk);
        pos += r;
        Atomics.add(bytes, 0, BigInt(r));
        progress();
      }
      if (error === undefined && Atomics.load(ctl, CTL.ABORT) === 0) {
        if (pos !== size) throw changedWhileHashing(where, `${size} bytes at open, ${pos} read`);
        const plain = hash.digest();
        plainHex = plain.toString('hex');
        if (onePass && ranges.length === 1) {
          digests.set(plain, 0);
          Atomics.store(ctl, CTL.CLAIM, 1);
          Atomics.store(ctl, CTL.DONE, 1);
        }
      }
    }
    // Then this thread takes the shards still unclaimed.
    hashClaimedShards({ ctl, bytes, fd, ranges, digests, report: take, afterBytes: progress }, buf);
    while (error === undefined && Atomics.load(ctl, CTL.ABORT) === 0) {
      const done = Atomics.load(ctl, CTL.DONE);
      progress();
      if (done === ranges.length) break;
      await waitAsync(ctl, CTL.DONE, done, 100).value;
    }
    const ended = await workersEnded(workers);
    for (const w of workers) {
      for (let m = receiveMessageOnPort(w.port); m; m = receiveMessageOnPort(w.port)) take(m.message as WorkerReply);
    }
    workers.length = 0; // all ended: the descriptor is no longer in use
    if (ended) fail(ended);
    if (error) throw error;
    progress();
    assertUnchanged(fd, where, before, size);
    const shards = ranges.map((_, k) => Buffer.from(digests.slice(k * DIGEST_BYTES, (k + 1) * DIGEST_BYTES)));
    return { size, shards, plainHex };
  } finally {
    // The workers read through this descriptor: it is closed only once they have ended.
    if (workers.length > 0) {
      Atomics.store(ctl, CTL.ABORT, 1);
      await Promise.all(workers.map((w) => w.exited));
    }
    closeSync(fd);
  }
}
