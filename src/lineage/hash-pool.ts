import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { Digest } from '../core/digest.js';
import { GateError, type ErrorCode } from '../core/errors.js';
import { READ_SIZE } from './file-digest.js';
import type { ContentScanner, Fingerprint, StreamFormat } from './fingerprint/types.js';
import { hashClaimed, viewOf, type ChunkView } from './hash-claim.js';
import {
  CHUNK_FILES,
  CHUNK_SHIFT,
  CTL,
  CTL_LENGTH,
  DIGEST_BYTES,
  type ChunkMessage,
  type WorkerInit,
  type WorkerReply,
} from './hash-protocol.js';

/** Atomics.waitAsync (ES2024, in Node since 16), typed here while the project's lib is ES2023. */
export const waitAsync = (
  Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, ms: number): { value: Promise<string> | string } }
).waitAsync;

/** A started hash worker: its port (messages both ways) and its exit code to come. */
export interface HashWorker {
  worker: Worker;
  port: MessagePort;
  exited: Promise<number>;
}

/**
 * Starts the compiled hash-worker.js beside this file with what `init`
 * builds around the worker's end of a fresh channel; `onError` hears a worker
 * that crashed or could not start.
 */
export function spawnHashWorker(init: (port: MessagePort) => WorkerInit, onError: (e: GateError) => void): HashWorker {
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(new URL('./hash-worker.js', import.meta.url), { workerData: init(port2), transferList: [port2] });
  worker.on('error', (e) => onError(new GateError('E_SERVICE', `hash worker failed: ${(e as Error)?.message ?? e}`, { cause: e })));
  const exited = new Promise<number>((resolve) => worker.on('exit', resolve));
  return { worker, port: port1, exited };
}

/** Waits for workers to end on their own; one that did not end cleanly is an error. */
export async function workersEnded(workers: readonly HashWorker[]): Promise<GateError | undefined> {
  const codes = await Promise.all(workers.map((w) => w.exited));
  const bad = codes.find((c) => c !== 0);
  return bad === undefined ? undefined : new GateError('E_SERVICE', `hash worker stopped (exit ${bad})`);
}

/** What hashing one file of the pool produced. */
export interface PoolResult {
  digest: Digest;
  size: number;
  fingerprint?: Fingerprint;
}

/**
 * Hashes many files on the calling thread and on worker threads at once.
 *
 * Files are added while the directory is still being listed and published in
 * chunks of {@link CHUNK_FILES}; workers (started when the caller decides the
 * job is worth them: each costs ~30-40 ms of CPU to boot) claim files from
 * the shared list as soon as they are up, so listing, booting and hashing
 * overlap. After the listing, the calling thread claims files too. Every
 * thread reads with blocking calls into its own reused buffer; results land
 * in shared memory, so there is no message and no promise per file.
 */
export class HashPool {
  private readonly ctl = new Int32Array(new SharedArrayBuffer(CTL_LENGTH * 4));
  private readonly bytes = new BigInt64Array(new SharedArrayBuffer(8));
  private readonly chunks: ChunkMessage[] = [];
  private readonly views: ChunkView[] = [];
  private readonly wheres: string[] = [];
  private readonly workers: HashWorker[] = [];
  private readonly fingerprints = new Map<number, Fingerprint>();
  private error: unknown;
  private open: ChunkMessage | undefined;
  private count = 0;
  private reported = 0n;

  /**
   * `scannerFor`: some files will be fingerprinted (workers load the
   * scanners; this thread uses the one given, so it loads them only then).
   * `whereOf` turns what was added as a file's `where` into its name in
   * errors (so the caller need not build that string for every file).
   */
  constructor(
    private readonly opts: {
      onBytes?: (n: number) => void;
      scannerFor?: (format: StreamFormat) => ContentScanner;
      whereOf?: (where: string) => string;
    } = {},
  ) {}

  /** Files added so far. */
  get size(): number {
    return this.count;
  }

  /** Whether workers were started. */
  get parallel(): boolean {
    return this.workers.length > 0;
  }

  /** Adds a file (`where` names it in errors); `scan` fingerprints it while hashing. */
  add(path: string, where: string, scan?: StreamFormat): void {
    if (this.open === undefined) {
      this.open = {
        kind: 'chunk',
        base: this.count,
        paths: [],
        scans: [],
        digests: new SharedArrayBuffer(CHUNK_FILES * DIGEST_BYTES),
        sizes: new SharedArrayBuffer(CHUNK_FILES * 8),
      };
    }
    this.open.paths.push(path);
    this.open.scans.push(scan ?? null);
    this.wheres.push(where);
    this.count++;
    if (this.open.paths.length === CHUNK_FILES) this.publish();
  }

  /** Starts `n` workers; they receive every chunk published so far and all later ones. */
  startWorkers(n: number): void {
    for (let i = 0; i < n; i++) {
      const w = spawnHashWorker(
        (port) => ({ kind: 'files', ctl: this.ctl.buffer as SharedArrayBuffer, bytes: this.bytes.buffer as SharedArrayBuffer, port, scan: this.opts.scannerFor !== undefined }),
        (e) => this.fail(e),
      );
      for (const c of this.chunks) w.port.postMessage(c);
      this.workers.push(w);
    }
  }

  /**
   * Publishes the last files, hashes on this thread alongside the workers,
   * waits for them, and returns the results in the order files were added.
   * The first error (a file that cannot be read, or changed while read)
   * stops every thread and is thrown, naming the file.
   */
  async run(): Promise<PoolResult[]> {
    this.publish();
    Atomics.store(this.ctl, CTL.WALK_DONE, 1);
    Atomics.notify(this.ctl, CTL.PUBLISHED);
    const buf = Buffer.allocUnsafeSlow(READ_SIZE);
    const progress = this.opts.onBytes !== undefined;
    hashClaimed(
      {
        ctl: this.ctl,
        bytes: this.bytes,
        chunk: (k) => this.views[k]!,
        report: (r) => this.take(r),
        scannerFor: this.opts.scannerFor,
        waitForMore: false,
        progress,
        afterBytes: () => this.reportProgress(),
      },
      buf,
    );
    // The workers finish what they claimed; progress keeps moving meanwhile.
    while (this.error === undefined && Atomics.load(this.ctl, CTL.ABORT) === 0) {
      const done = Atomics.load(this.ctl, CTL.DONE);
      this.reportProgress();
      if (done === this.count) break;
      await waitAsync(this.ctl, CTL.DONE, done, 100).value;
    }
    // Each worker ends once nothing is left to claim. Waiting for that (not
    // terminating it) means a worker that could not even start fails the run
    // instead of leaving this thread to hash everything unnoticed.
    const ended = await workersEnded(this.workers);
    if (ended) this.fail(ended);
    this.drain();
    this.reportProgress();
    if (this.error !== undefined) throw this.error;
    const results: PoolResult[] = new Array(this.count);
    for (let k = 0; k < this.views.length; k++) {
      const c = this.views[k]!;
      const base = k << CHUNK_SHIFT;
      const n = Math.min(CHUNK_FILES, this.count - base);
      // One hex string per chunk, sliced: not a Buffer and a string per file.
      const hex = Buffer.from(c.digests.buffer, c.digests.byteOffset, n * DIGEST_BYTES).toString('hex');
      for (let j = 0; j < n; j++) {
        const r: PoolResult = { digest: `sha256:${hex.slice(j * 2 * DIGEST_BYTES, (j + 1) * 2 * DIGEST_BYTES)}`, size: c.sizes[j]! };
        const fp = this.fingerprints.get(base + j);
        if (fp) r.fingerprint = fp;
        results[base + j] = r;
      }
    }
    return results;
  }

  /** Stops the workers (after run, or when the listing failed). */
  async close(): Promise<void> {
    Atomics.store(this.ctl, CTL.ABORT, 1);
    Atomics.notify(this.ctl, CTL.PUBLISHED);
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }

  private publish(): void {
    const c = this.open;
    if (c === undefined) return;
    this.open = undefined;
    this.chunks.push(c);
    this.views.push(viewOf(c));
    // The chunk reaches every worker before its files can be claimed.
    for (const w of this.workers) w.port.postMessage(c);
    Atomics.store(this.ctl, CTL.PUBLISHED, this.count);
    Atomics.notify(this.ctl, CTL.PUBLISHED);
  }

  private drain(): void {
    for (const w of this.workers) {
      for (let m = receiveMessageOnPort(w.port); m; m = receiveMessageOnPort(w.port)) this.take(m.message as WorkerReply);
    }
  }

  private take(r: WorkerReply): void {
    if (r.kind === 'fingerprint') this.fingerprints.set(r.id, r.fingerprint);
    else this.fail(new GateError(r.code as ErrorCode, r.message, { where: this.whereOf(r.id), hint: r.hint }));
  }

  private whereOf(id: number): string | undefined {
    const w = this.wheres[id];
    return w !== undefined && this.opts.whereOf ? this.opts.whereOf(w) : w;
  }

  private fail(e: unknown): void {
    if (this.error === undefined) this.error = e;
    Atomics.store(this.ctl, CTL.ABORT, 1);
    Atomics.notify(this.ctl, CTL.PUBLISHED);
    Atomics.notify(this.ctl, CTL.DONE);
  }

  private reportProgress(): void {
    if (!this.opts.onBytes) return;
    const now = Atomics.load(this.bytes, 0);
    if (now > this.reported) {
      this.opts.onBytes(Number(now - this.reported));
      this.reported = now;
    }
  }
}
