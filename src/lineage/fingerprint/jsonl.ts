import type { ColumnInfo } from '../../core/dir-hash.js';
import { PrefixKeeper, RecordCounter } from './record-counter.js';
import { SAMPLE_BYTES, SAMPLE_ROWS, type ContentScanner, type Fingerprint } from './types.js';

/**
 * JSON Lines fingerprint. Rows: non-empty lines. Columns: the keys of the
 * objects on the first 1,000 lines (within the first MiB), in first-seen
 * order; a column's type is the JSON type(s) seen for it (string, number,
 * boolean, null, object, array), several joined with `|` in sorted order.
 * When a sampled line is not a JSON object, columns are left out.
 */
export class JsonlScanner implements ContentScanner {
  private readonly counter = new RecordCounter(false);
  private readonly prefix = new PrefixKeeper(SAMPLE_BYTES);

  push(chunk: Uint8Array): void {
    this.counter.push(chunk);
    this.prefix.push(chunk);
  }

  finish(): Fingerprint {
    const rows = this.counter.total();
    const { text, truncated } = this.prefix.text();
    const lines = text.split('\n');
    if (truncated) lines.pop();
    const sample = lines.filter((l) => l.trim() !== '').slice(0, SAMPLE_ROWS);
    const columns = jsonlColumns(sample);
    return columns ? { rows, columns } : { rows };
  }
}

/** Columns of sampled JSON Lines, by the rule documented on {@link JsonlScanner}. */
export function jsonlColumns(lines: string[]): ColumnInfo[] | undefined {
  const types = new Map<string, Set<string>>();
  for (const line of lines) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return undefined;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    for (const [k, v] of Object.entries(value)) {
      let set = types.get(k);
      if (!set) types.set(k, (set = new Set()));
      set.add(v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
    }
  }
  if (types.size === 0) return undefined;
  return [...types].map(([name, set]) => ({ name, type: [...set].sort().join('|') }));
}
