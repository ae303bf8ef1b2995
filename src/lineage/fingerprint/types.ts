import type { ColumnInfo } from '../../core/dir-hash.js';

/** Row count and, where the format tells, the columns of a dataset file. */
export interface Fingerprint {
  rows: number;
  columns?: ColumnInfo[];
}

/**
 * Sees a file's bytes once, in order, while they are hashed (one read serves
 * both), and keeps only bounded state: counters and a prefix of the file.
 */
export interface ContentScanner {
  push(chunk: Uint8Array): void;
  finish(): Fingerprint;
}

/** Formats fingerprinted while hashing (Parquet is read from its footer instead). */
export type StreamFormat = 'csv' | 'tsv' | 'jsonl';
export type FingerprintFormat = StreamFormat | 'parquet';

/** How many bytes from the start of a file the column sample is taken from. */
export const SAMPLE_BYTES = 1024 * 1024;
/** How many data rows the column types are inferred from. */
export const SAMPLE_ROWS = 1000;
