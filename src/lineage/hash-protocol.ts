import type { Fingerprint, StreamFormat } from './fingerprint/types.js';

/** A file for a hash worker to digest. */
export interface HashTask {
  id: number;
  path: string;
  /** Scan the bytes for a dataset fingerprint while hashing. */
  scan?: StreamFormat;
}

/** Files are sent in small batches: one message per file costs more than hashing a small file. */
export type HashBatch = HashTask[];

export interface HashDone {
  id: number;
  hex: string;
  size: number;
  fingerprint?: Fingerprint;
}

/** A worker's answer: a batch's results, an error, or progress (bytes since last report). */
export type HashReply =
  | { kind: 'done'; results: HashDone[]; /** bytes not yet reported as progress */ tail: number }
  | { kind: 'error'; id: number; code: string; message: string; hint?: string }
  | { kind: 'progress'; bytes: number };
