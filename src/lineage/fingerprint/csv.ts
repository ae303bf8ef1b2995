import type { ColumnInfo } from '../../core/dir-hash.js';
import { PrefixKeeper, RecordCounter } from './record-counter.js';
import { SAMPLE_BYTES, SAMPLE_ROWS, type ContentScanner, type Fingerprint } from './types.js';

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * CSV/TSV fingerprint. Rows: records after the header, where a record ends at
 * a newline outside double quotes (RFC 4180), so quoted newlines never add
 * rows; empty lines are not rows. Columns: the header's names; a column's
 * type is "number" when every non-empty value among the first 1,000 data
 * rows (within the first MiB) is a decimal number, otherwise "string".
 */
export class CsvScanner implements ContentScanner {
  private readonly counter = new RecordCounter(true);
  private readonly prefix = new PrefixKeeper(SAMPLE_BYTES);

  constructor(private readonly delimiter: string = ',') {}

  push(chunk: Uint8Array): void {
    this.counter.push(chunk);
    this.prefix.push(chunk);
  }

  finish(): Fingerprint {
    const records = this.counter.total();
    const rows = Math.max(records - 1, 0);
    const { text, truncated } = this.prefix.text();
    const parsed = parseCsv(text, this.delimiter, SAMPLE_ROWS + 2);
    // The last record of a cut prefix may itself be cut: leave it out.
    if (truncated && parsed.length > 1) parsed.pop();
    const header = parsed[0];
    if (!header) return { rows };
    return { rows, columns: inferCsvColumns(header, parsed.slice(1, SAMPLE_ROWS + 1)) };
  }
}

/** Column types from sample rows, by the rule documented on {@link CsvScanner}. */
export function inferCsvColumns(header: string[], rows: string[][]): ColumnInfo[] {
  return header.map((name, i) => {
    let sawNumber = false;
    let allNumbers = true;
    for (const row of rows) {
      const v = (row[i] ?? '').trim();
      if (v === '') continue;
      if (NUMBER_RE.test(v)) sawNumber = true;
      else {
        allNumbers = false;
        break;
      }
    }
    return { name, type: sawNumber && allNumbers ? 'number' : 'string' };
  });
}

/**
 * Parses up to `maxRecords` RFC 4180 records of `text` (quoted fields may hold
 * delimiters, `""` and newlines; `\r\n` and `\n` both end records). Empty
 * lines are skipped, as the row count skips them.
 */
export function parseCsv(text: string, delimiter: string, maxRecords: number): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let inQuotes = false;
  let touched = false; // the current record has any content
  const endRecord = (): void => {
    if (touched) {
      record.push(field);
      records.push(record);
    }
    field = '';
    record = [];
    touched = false;
  };
  for (let i = 0; i < text.length && records.length < maxRecords; i++) {
    const c = text[i]!;
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else field += c;
    } else if (c === '"') {
      inQuotes = true;
      touched = true;
    } else if (c === delimiter) {
      record.push(field);
      field = '';
      touched = true;
    } else if (c === '\n') {
      endRecord();
    } else if (c === '\r' && text[i + 1] === '\n') {
      // part of \r\n
    } else {
      field += c;
      touched = true;
    }
  }
  if (records.length < maxRecords) endRecord();
  return records;
}
