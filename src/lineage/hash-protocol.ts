import type { MessagePort } from 'node:worker_threads';
import type { Fingerprint, StreamFormat } from './fingerprint/types.js';

/**
 * What the hashing threads share. Files are published in chunks; every thread
 * (the calling one and the workers) claims the next file with one atomic
 * compare-and-swap and writes its digest and size straight into the chunk's
 * shared memory, so a file costs no message and no promise. Only fingerprints
 * and errors travel as messages.
 */
export const CTL = {
  /** Index of the next file to claim. */
  CLAIM: 0,
  /** Files published so far (their chunk's message is sent first). */
  PUBLISHED: 1,
  /** Files hashed. */
  DONE: 2,
  /** 1 once the last file is published. */
  WALK_DONE: 3,
  /** 1 once any thread failed: everyone stops claiming. */
  ABORT: 4,
} as const;
export const CTL_LENGTH = 5;

/** Files per chunk (a power of two: file i is entry i & (CHUNK_FILES - 1) of chunk i >> CHUNK_SHIFT). */
export const CHUNK_SHIFT = 8;
export const CHUNK_FILES = 1 << CHUNK_SHIFT;
export const DIGEST_BYTES = 32;

/** A chunk of files as sent to a worker: names to open, and where the results go. */
export interface ChunkMessage {
  kind: 'chunk';
  /** Index of its first file. */
  base: number;
  paths: string[];
  /** Per file: the format to fingerprint while hashing, or null. */
  scans: (StreamFormat | null)[];
  /** DIGEST_BYTES per file. */
  digests: SharedArrayBuffer;
  /** One float64 per file. */
  sizes: SharedArrayBuffer;
}

/** What a worker is started with: files of a directory, or the shards of one file. */
export type WorkerInit = FilesInit | ShardsInit;

/** A worker of the file pool (hash-pool.ts). */
export interface FilesInit {
  kind: 'files';
  ctl: SharedArrayBuffer;
  /** One BigInt64: bytes hashed by all threads, for progress. */
  bytes: SharedArrayBuffer;
  /** Chunks arrive here; replies go back through it. */
  port: MessagePort;
  /** Whether any file is to be fingerprinted (loads the scanners). */
  scan: boolean;
}

/**
 * A worker hashing shards of one file (shard-hash.ts): `ranges[k]` is shard
 * k, claimed like files are (PUBLISHED is the number of shards from the
 * start); its digest goes to `digests` at k * DIGEST_BYTES. The file is read
 * through the descriptor the calling thread opened and checked (threads
 * share the process's descriptors, and positioned reads share no offset).
 */
export interface ShardsInit {
  kind: 'shards';
  ctl: SharedArrayBuffer;
  bytes: SharedArrayBuffer;
  port: MessagePort;
  fd: number;
  ranges: [number, number][];
  digests: SharedArrayBuffer;
}

/** A worker's message to the pool: a file's fingerprint, or the error that stopped it. */
export type WorkerReply =
  | { kind: 'fingerprint'; id: number; fingerprint: Fingerprint }
  | { kind: 'error'; id: number; code: string; message: string; hint?: string };
