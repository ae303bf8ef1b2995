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
  private readonly counter: RecordCounter;
  private readonly prefix = new PrefixKeeper(SAMPLE_BYTES);

  constructor(private readonly delimiter: string = ',') {
    this.counter = new RecordCounter(true, delimiter.charCodeAt(0));
  }

  push(chunk: Uint8Array): void {
    this.counter.push(chunk);
    this.prefix.push(chunk);
  }

  finish(): Fingerprint {
    const records = this.counter.total();
    const rows = Math.max(records - 1, 0);
    const { text, truncated } = this.prefix.text();
    const { records: parsed, lastComplete } = parseCsvRecords(text, this.delimiter, SAMPLE_ROWS + 2);
    // The last record of a cut prefix may itself be cut (even the header): leave it out.
    if (truncated && !lastComplete) parsed.pop();
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
 * Parses up to `maxRecords` records of `text` as CSV readers do (Python's
 * `csv`, RFC 4180): a quote opens a quoted field only at the field's start
 * (quoted fields may hold delimiters, `""` and newlines; after the closing
 * quote, characters up to the delimiter are kept as they are); a quote
 * elsewhere is a character; `\r\n` and `\n` both end records. Empty lines
 * are skipped, as the row count skips them.
 */
export function parseCsv(text: string, delimiter: string, maxRecords: number): string[][] {
  return parseCsvRecords(text, delimiter, maxRecords).records;
}

/**
 * {@link parseCsv}, also saying whether the last record was complete (ended by
 * a newline, by the end of the text outside quotes, or by reaching
 * `maxRecords`) and whether the text ends inside a quoted field.
 */
export function parseCsvRecords(
  text: string,
  delimiter: string,
  maxRecords: number,
): { records: string[][]; lastComplete: boolean; endsInQuotes: boolean } {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let inQuotes = false;
  let begun = false; // the current field has started (a quote now is a character)
  let touched = false; // the current record has any content
  const endRecord = (): void => {
    if (touched) {
      record.push(field);
      records.push(record);
    }
    field = '';
    record = [];
    touched = false;
    begun = false;
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
    } else if (c === '"' && !begun) {
      inQuotes = true;
      begun = true;
      touched = true;
    } else if (c === delimiter) {
      record.push(field);
      field = '';
      begun = false;
      touched = true;
    } else if (c === '\n') {
      endRecord();
    } else if (c === '\r' && text[i + 1] === '\n') {
      // part of \r\n
    } else {
      field += c;
      begun = true;
      touched = true;
    }
  }
  if (records.length >= maxRecords) return { records, lastComplete: true, endsInQuotes: false };
  // A record still open here was not ended by a newline: cut, if the text was.
  const lastComplete = !touched;
  const endsInQuotes = inQuotes;
  endRecord();
  return { records, lastComplete, endsInQuotes };
}
