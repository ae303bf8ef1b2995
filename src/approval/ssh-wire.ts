/**
 * Reader for the SSH wire encoding (RFC 4251 §5: uint32, string, mpint) used
 * by public key blobs and SSHSIG signatures. Every read is bounds-checked so
 * a truncated or oversized field is an error, never a silent short read.
 */
export class SshWireError extends Error {}

export class SshReader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  byte(): number {
    if (this.remaining < 1) throw new SshWireError('truncated (expected a byte)');
    return this.buf[this.pos++];
  }

  uint32(): number {
    if (this.remaining < 4) throw new SshWireError('truncated (expected a uint32)');
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  raw(n: number): Buffer {
    if (this.remaining < n) throw new SshWireError(`truncated (expected ${n} bytes, ${this.remaining} left)`);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  string(): Buffer {
    return this.raw(this.uint32());
  }

  text(): string {
    return this.string().toString('utf8');
  }

  /** An mpint's magnitude without leading zero bytes (negative values refused). */
  mpint(): Buffer {
    const v = this.string();
    if (v.length > 0 && v[0] & 0x80) throw new SshWireError('negative mpint');
    let i = 0;
    while (i < v.length && v[i] === 0) i++;
    return v.subarray(i);
  }

  /** Fails when bytes are left over: signed structures must be exact. */
  end(what: string): void {
    if (this.remaining !== 0) throw new SshWireError(`${this.remaining} unexpected trailing bytes after ${what}`);
  }
}

/** `string` encoding: uint32 length + bytes. */
export function sshString(data: Buffer | string): Buffer {
  const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

export function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
