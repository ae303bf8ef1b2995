import { CsvScanner } from './csv.js';
import { JsonlScanner } from './jsonl.js';
import type { ContentScanner, FingerprintFormat, StreamFormat } from './types.js';

/** The format a file name announces, if it is one that is fingerprinted. */
export function formatOf(path: string): FingerprintFormat | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.tsv')) return 'tsv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.parquet')) return 'parquet';
  return undefined;
}

/** A scanner for a format read while hashing. */
export function scannerFor(format: StreamFormat): ContentScanner {
  switch (format) {
    case 'csv':
      return new CsvScanner(',');
    case 'tsv':
      return new CsvScanner('\t');
    case 'jsonl':
      return new JsonlScanner();
  }
}
