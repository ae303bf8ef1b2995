import type { Fingerprint, StreamFormat } from './fingerprint/types.js';

/** A file for a hash worker to digest. */
export interface HashTask {
  id: number;
  path: string;
  /** Scan the bytes for a dataset fingerprint while hashing. */
  scan?: StreamFormat;
}

/** A worker's answer: a result, an error, or progress (bytes since last report). */
export type HashReply =
  | { id: number; kind: 'done'; hex: string; size: number; fingerprint?: Fingerprint; /** bytes not yet reported as progress */ tail: number }
  | { id: number; kind: 'error'; code: string; message: string; where?: string; hint?: string }
  | { id: number; kind: 'progress'; bytes: number };
