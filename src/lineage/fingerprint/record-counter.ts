import { GateError } from '../../core/errors.js';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Counts records (non-empty lines) of a byte stream, optionally reading
 * double quotes as CSV readers do (Python's `csv`, pandas, RFC 4180): a quote
 * opens a quoted field only at the start of a field (the start of the file,
 * after a UTF-8 BOM, a newline or the delimiter); inside, `""` is a quote
 * and a newline does not end the record; a quote anywhere else is an
 * ordinary character (`5" screen`). A line holding only `\r` counts as empty.
 * Scans with `indexOf` (memchr) so a multi-GB file costs little beyond its
 * hashing.
 */
export class RecordCounter {
  private inQuotes = false;
  private hasContent = false;
  private count = 0;
  /** Bytes before the current chunk. */
  private offset = 0;
  /** The byte before the current chunk (-1 at the start of the file). */
  private prev = -1;
  /** Offset of the last quote that closed a quoted field (a quote right after it is an escaped `""`). */
  private closedAt = -2;
  private openedAt = -1;
  private openedRecord = 0;
  private readonly head: number[] = [];

  /**
   * @param quoted read double quotes as CSV does (false: JSON Lines, every newline ends a record)
   * @param delimiter the field delimiter's byte (`,` or a tab)
   */
  constructor(
    private readonly quoted: boolean,
    private readonly delimiter = 0x2c,
  ) {}

  push(chunk: Uint8Array): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const len = buf.length;
    for (let i = 0; i < len && this.head.length < 3; i++) this.head.push(buf[i]!);
    let pos = 0;
    while (pos < len) {
      const q = this.quoted ? buf.indexOf(QUOTE, pos) : -1;
      if (this.inQuotes) {
        if (q === -1) break; // the rest of the chunk is inside quotes
        this.inQuotes = false;
        this.closedAt = this.offset + q;
        pos = q + 1;
        continue;
      }
      const end = q === -1 ? len : q;
      this.countLines(buf, pos, end);
      if (q === -1) break;
      const at = this.offset + q;
      const before = q > 0 ? buf[q - 1]! : this.prev;
      const bom = at === 3 && this.head[0] === 0xef && this.head[1] === 0xbb && this.head[2] === 0xbf;
      if (before === -1 || before === LF || before === this.delimiter || this.closedAt === at - 1 || bom) {
        this.inQuotes = true;
        this.openedAt = at;
        this.openedRecord = this.count + 1;
      }
      this.hasContent = true;
      pos = q + 1;
    }
    if (len > 0) this.prev = buf[len - 1]!;
    this.offset += len;
  }

  private countLines(buf: Buffer, from: number, end: number): void {
    let s = from;
    for (;;) {
      const nl = buf.indexOf(LF, s);
      if (nl === -1 || nl >= end) break;
      if (nl > s && !(nl - s === 1 && buf[s] === CR)) this.hasContent = true;
      if (this.hasContent) this.count++;
      this.hasContent = false;
      s = nl + 1;
    }
    if (end > s && !(end - s === 1 && buf[s] === CR)) this.hasContent = true;
  }

  /**
   * Records seen, counting a last record without a trailing newline. Throws
   * E_INPUT when a quoted field is still open at the end: CSV readers refuse
   * such a file (pandas: "EOF inside string"), so no row count is true.
   */
  total(): number {
    if (this.inQuotes) {
      throw new GateError(
        'E_INPUT',
        `quoted field opened at byte ${this.openedAt} (record ${this.openedRecord}) is never closed: not valid CSV, so its rows cannot be counted`,
        {
          hint: 'close the quote (only a field that starts with a quote is quoted; a quote inside a field is a character), or rename the file away from .csv/.tsv to record its bytes without a fingerprint',
        },
      );
    }
    return this.count + (this.hasContent ? 1 : 0);
  }
}

/**
 * Keeps the first `max` bytes of a stream (the sample columns are read from).
 */
export class PrefixKeeper {
  private readonly parts: Buffer[] = [];
  private length = 0;
  private truncated = false;

  constructor(private readonly max: number) {}

  push(chunk: Uint8Array): void {
    if (this.length >= this.max) {
      if (chunk.byteLength > 0) this.truncated = true;
      return;
    }
    const take = Math.min(chunk.byteLength, this.max - this.length);
    if (take < chunk.byteLength) this.truncated = true;
    // Copied: the caller reuses its read buffer.
    this.parts.push(Buffer.from(Buffer.from(chunk.buffer, chunk.byteOffset, take)));
    this.length += take;
  }

  /** The prefix as text (UTF-8, BOM removed) and whether the file went on. */
  text(): { text: string; truncated: boolean } {
    let text = Buffer.concat(this.parts).toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { text, truncated: this.truncated };
  }
}
