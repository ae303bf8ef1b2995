/**
 * What verification reports. Every finding names its kind, the sequence
 * number it concerns and a sentence an auditor can act on.
 */

export type FindingKind =
  /** A record's bytes differ from what the next record's `prev` or a signed checkpoint says they were. */
  | 'modified'
  /** A sequence number below the log's size has no record. */
  | 'missing'
  /** A record's `prev` disagrees with the previous record, and nothing tells which of the two was altered. */
  | 'broken-link'
  /** A record's `seq` disagrees with the key it is stored under. */
  | 'misplaced'
  /** A record's `log` differs from the log's name (record 0's, or the checkpoint's). */
  | 'wrong-log'
  /** S3: a later version or delete marker on an entry key that is not a race loser. */
  | 'extra-version'
  /** The log is shorter than a signed checkpoint or `--min-size` says it must be. */
  | 'truncated'
  /** A checkpoint whose signature, key or content does not check out. */
  | 'bad-checkpoint'
  /** S3: a record not under COMPLIANCE retention for the store's retention period. */
  | 'not-locked'
  /** Stored bytes that are not a valid record. */
  | 'unparseable'
  /** Two stores of the same log hold different records at one sequence number. */
  | 'store-mismatch'
  /** A copy that is a stream (a Kafka topic) holds the same record more than once. */
  | 'duplicate'
  /** A Merkle tile or entry bundle that disagrees with the entries (or is missing, or not a bundle): docs/transparency-log.md. */
  | 'tile-mismatch';

export interface Finding {
  kind: FindingKind;
  seq: number;
  message: string;
  /** The raw store key, when the finding is about a key rather than a record at `seq` (e.g. one beyond any seq). */
  key?: string;
  /** The store it was found in, when several were verified. */
  store?: string;
}

/** A later version of an entry written by a writer that lost a race (information, not a finding). */
export interface Superseded {
  seq: number;
  versionId: string;
  /** Where the same event was finally recorded. */
  reappearsAt: number;
  store?: string;
}

/** Findings in a stable order: by seq, then kind, then message. */
export function sortFindings<T extends Finding>(findings: T[]): T[] {
  return findings.sort(
    (a, b) => a.seq - b.seq || a.kind.localeCompare(b.kind) || a.message.localeCompare(b.message),
  );
}
