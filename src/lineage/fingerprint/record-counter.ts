/**
 * Counts records (non-empty lines) of a byte stream, optionally honouring
 * RFC 4180 double quotes so that a newline inside a quoted CSV field does not
 * end a record. A line holding only `\r` counts as empty. Scans with
 * `indexOf` (memchr) so a multi-GB file costs little beyond its hashing.
 */
export class RecordCounter {
  private inQuotes = false;
  private hasContent = false;
  private count = 0;

  constructor(private readonly quoted: boolean) {}

  push(chunk: Uint8Array): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const len = buf.length;
    let pos = 0;
    let nextQuote = -2; // not searched yet
    while (pos < len) {
      if (this.quoted) {
        if (nextQuote !== -1 && nextQuote < pos) nextQuote = buf.indexOf(34, pos);
        if (this.inQuotes) {
          if (nextQuote === -1) return; // the rest of the chunk is inside quotes
          this.inQuotes = false;
          pos = nextQuote + 1;
          continue;
        }
      }
      const end = this.quoted && nextQuote !== -1 ? nextQuote : len;
      this.countLines(buf, pos, end);
      if (end === len) return;
      this.inQuotes = true; // a quote outside quotes opens a quoted field
      this.hasContent = true;
      pos = end + 1;
    }
  }

  private countLines(buf: Buffer, from: number, end: number): void {
    let s = from;
    for (;;) {
      const nl = buf.indexOf(10, s);
      if (nl === -1 || nl >= end) break;
      if (nl > s && !(nl - s === 1 && buf[s] === 13)) this.hasContent = true;
      if (this.hasContent) this.count++;
      this.hasContent = false;
      s = nl + 1;
    }
    if (end > s && !(end - s === 1 && buf[s] === 13)) this.hasContent = true;
  }

  /** Records seen, counting a last record without a trailing newline. */
  total(): number {
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
