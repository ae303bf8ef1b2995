/**
 * The body of a Kafka Produce request (versions 3 to 7 share it), encoded in
 * one pass into one buffer: byte for byte what kafkajs 2.2.4's own encoder
 * (`protocol/requests/produce/v3/request.js`) writes for the same input, for
 * the inputs {@link encodableProduce} accepts. Pure: no I/O.
 *
 * Why it exists: kafkajs builds every record from a tree of small growing
 * buffers (a zero-filled 512-byte buffer per record and per header, a
 * `Buffer.from([...])` per varint, each level copied into the next); with ten
 * CloudEvents headers that is 57–74 µs of CPU per record, the whole gap to
 * librdkafka (bench/README.md). The wire format is Kafka's (KIP-98 record
 * batch v2, magic 2):
 *
 *   ProduceRequest => transactional_id acks timeout [topic [partition record_set]]
 *   record_set     => base_offset:int64 batch_length:int32 leader_epoch:int32
 *                     magic:int8 crc:uint32 (CRC-32C of the rest) attributes:int16
 *                     last_offset_delta:int32 first_timestamp:int64
 *                     max_timestamp:int64 producer_id:int64 producer_epoch:int16
 *                     first_sequence:int32 [record]
 *   record         => length:varint attributes:int8 timestamp_delta:varlong
 *                     offset_delta:varint key:varbytes value:varbytes
 *                     [header_key:varstring header_value:varbytes]
 *
 * and kafkajs's choices are kept: records carry no timestamps of their own
 * (every delta 0, first = max = the time of encoding), base offset 0, leader
 * epoch 0, the transactional bit when a transactional id is set.
 */

/** A message as kafkajs's producer hands it to the Produce request. */
export interface ProduceMessage {
  key?: string | Buffer | null;
  value?: string | Buffer | null;
  headers?: Record<string, string | Buffer | Array<string | Buffer>>;
  timestamp?: unknown;
}

export interface ProducePartitionData {
  partition: number;
  firstSequence?: number;
  messages: ProduceMessage[];
}

export interface ProduceTopicData {
  topic: string;
  partitions: ProducePartitionData[];
}

export interface ProduceFields {
  transactionalId: string | null;
  acks: number;
  timeout: number;
  /** -1n when not idempotent. */
  producerId: bigint;
  producerEpoch: number;
  topicData: ProduceTopicData[];
}

const TRANSACTIONAL_ATTRIBUTE = 16;
const MAGIC = 2;
/** Bytes of a batch from `attributes` to the record count. */
const BATCH_BODY_HEADER = 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;
/** base offset, batch length, leader epoch, magic, crc. */
const BATCH_PREFIX = 8 + 4 + 4 + 1 + 4;

const isBytes = (v: unknown): v is string | Buffer => typeof v === 'string' || Buffer.isBuffer(v);

/**
 * Whether these Produce fields are ones this encoder writes exactly as
 * kafkajs would: no compression, no message timestamps, keys and values that
 * are strings, Buffers or absent, header values that are strings or Buffers
 * (or arrays of them). Anything else is left to kafkajs's own encoder.
 */
export function encodableProduce(compression: unknown, topicData: unknown): topicData is ProduceTopicData[] {
  if (compression !== undefined && compression !== 0) return false;
  if (!Array.isArray(topicData)) return false;
  for (const t of topicData as ProduceTopicData[]) {
    if (typeof t?.topic !== 'string' || !Array.isArray(t.partitions)) return false;
    for (const p of t.partitions) {
      if (!Number.isInteger(p?.partition) || !Array.isArray(p.messages)) return false;
      if (p.firstSequence !== undefined && !Number.isInteger(p.firstSequence)) return false;
      for (const m of p.messages) {
        if (m === null || typeof m !== 'object' || m.timestamp != null) return false;
        if (m.key != null && !isBytes(m.key)) return false;
        if (m.value != null && !isBytes(m.value)) return false;
        if (m.headers != null) {
          if (typeof m.headers !== 'object') return false;
          for (const k of Object.keys(m.headers)) {
            const v = m.headers[k];
            if (Array.isArray(v) ? !v.every(isBytes) : !isBytes(v)) return false;
          }
        }
      }
    }
  }
  return true;
}

/** Bytes of an unsigned LEB128 varint. */
function sizeOfUVarInt(v: number): number {
  let n = 1;
  while ((v & 0xffffff80) !== 0) {
    n++;
    v >>>= 7;
  }
  return n;
}

/** Zigzag of a 32-bit signed integer, as Kafka's (and kafkajs's) varint does it. */
const zigzag = (v: number): number => (v << 1) ^ (v >> 31);

/** Bytes of a varint-length-prefixed field of `length` bytes (-1: null). */
const sizeOfVarBytes = (length: number): number => sizeOfUVarInt(zigzag(length)) + Math.max(0, length);

const byteLength = (v: string | Buffer): number => (typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.length);

/** Measures one header value into `lens` (its bytes), returning its encoded size. */
function sizeHeader(k: string, kl: number, v: string | Buffer, lens: number[]): number {
  const vl = byteLength(v);
  lens.push(kl, vl);
  return sizeOfVarBytes(kl) + sizeOfVarBytes(vl);
}

/**
 * Measures a record into `lens` (body size, key and value lengths, header
 * count, then each header's key and value lengths): the write pass reads
 * them back in the same order, so nothing is measured twice.
 */
function sizeRecord(m: ProduceMessage, offsetDelta: number, lens: number[]): number {
  const keyLength = m.key == null ? -1 : byteLength(m.key);
  const valueLength = m.value == null ? -1 : byteLength(m.value);
  const at = lens.length;
  lens.push(0, keyLength, valueLength, 0);
  let count = 0;
  let size = 1 + 1 + sizeOfUVarInt(zigzag(offsetDelta)) + sizeOfVarBytes(keyLength) + sizeOfVarBytes(valueLength); // attributes, timestamp delta 0
  const headers = m.headers;
  if (headers) {
    for (const k of Object.keys(headers)) {
      const v = headers[k];
      const kl = Buffer.byteLength(k, 'utf8');
      if (Array.isArray(v)) {
        for (const e of v) size += sizeHeader(k, kl, e, lens);
        count += v.length;
      } else {
        size += sizeHeader(k, kl, v, lens);
        count++;
      }
    }
  }
  size += sizeOfUVarInt(zigzag(count));
  lens[at] = size;
  lens[at + 3] = count;
  return size;
}

class Writer {
  offset = 0;
  constructor(readonly buf: Buffer) {}
  int8(v: number): void {
    this.buf.writeInt8(v, this.offset);
    this.offset += 1;
  }
  int16(v: number): void {
    this.buf.writeInt16BE(v, this.offset);
    this.offset += 2;
  }
  int32(v: number): void {
    this.buf.writeInt32BE(v, this.offset);
    this.offset += 4;
  }
  uint32(v: number): void {
    this.buf.writeUInt32BE(v, this.offset);
    this.offset += 4;
  }
  int64(v: bigint): void {
    this.buf.writeBigInt64BE(v, this.offset);
    this.offset += 8;
  }
  uvarint(v: number): void {
    const b = this.buf;
    let o = this.offset;
    while ((v & 0xffffff80) !== 0) {
      b[o++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[o++] = v & 0x7f;
    this.offset = o;
  }
  varint(v: number): void {
    this.uvarint(zigzag(v));
  }
  /** `length` bytes of `v` (its UTF-8 byte length when a string). */
  raw(v: string | Buffer, length: number): void {
    const b = this.buf;
    const o = this.offset;
    if (typeof v !== 'string') v.copy(b, o);
    else if (length === v.length && length <= 128) {
      // As many bytes as UTF-16 units: all ASCII. A loop beats a native call for short strings.
      for (let i = 0; i < length; i++) b[o + i] = v.charCodeAt(i);
    } else b.write(v, o, length, 'utf8');
    this.offset = o + length;
  }
  /** A varint length (-1: null) and the bytes. */
  varBytes(v: string | Buffer | null | undefined, length: number): void {
    this.varint(length);
    if (length > 0) this.raw(v as string | Buffer, length);
  }
  /** Kafka STRING / NULLABLE_STRING: int16 length (-1: null), UTF-8. */
  string(v: string | null): void {
    if (v === null) return this.int16(-1);
    const n = Buffer.byteLength(v, 'utf8');
    this.int16(n);
    this.raw(v, n);
  }
}

/**
 * The Produce request body (without kafkajs's request header: api key,
 * version, correlation id, client id) for `fields`, with `now` as the
 * batches' timestamp. `crc32c` is CRC-32C over a buffer (kafkajs's own is
 * passed in by the adapter).
 */
export function encodeProduceRequest(fields: ProduceFields, now: number, crc32c: (b: Buffer) => number): Buffer {
  const attributes = fields.transactionalId ? TRANSACTIONAL_ATTRIBUTE : 0;
  // Pass 1: sizes, into one flat list read back by pass 2.
  const lens: number[] = [];
  const batchBytes: number[] = [];
  let total = 2 + (fields.transactionalId === null ? 0 : Buffer.byteLength(fields.transactionalId, 'utf8')) + 2 + 4 + 4;
  for (const t of fields.topicData) {
    total += 2 + Buffer.byteLength(t.topic, 'utf8') + 4;
    for (const p of t.partitions) {
      let recordsBytes = 0;
      for (let i = 0; i < p.messages.length; i++) {
        const body = sizeRecord(p.messages[i], i, lens);
        recordsBytes += sizeOfUVarInt(zigzag(body)) + body;
      }
      const bytes = BATCH_PREFIX + BATCH_BODY_HEADER + recordsBytes;
      batchBytes.push(bytes);
      total += 4 + 4 + bytes;
    }
  }
  // Pass 2: one buffer, written front to back.
  const w = new Writer(Buffer.allocUnsafe(total));
  w.string(fields.transactionalId);
  w.int16(fields.acks);
  w.int32(fields.timeout);
  w.int32(fields.topicData.length);
  const ts = BigInt(now);
  let l = 0;
  let b = 0;
  for (const t of fields.topicData) {
    w.string(t.topic);
    w.int32(t.partitions.length);
    for (const p of t.partitions) {
      const bytes = batchBytes[b++];
      const messages = p.messages;
      w.int32(p.partition);
      w.int32(bytes);
      w.int64(0n); // base offset
      w.int32(bytes - 12); // batch length: what follows this field
      w.int32(0); // partition leader epoch
      w.int8(MAGIC);
      const crcAt = w.offset;
      w.uint32(0);
      const bodyAt = w.offset;
      w.int16(attributes);
      w.int32(messages.length - 1); // last offset delta
      w.int64(ts);
      w.int64(ts);
      w.int64(fields.producerId);
      w.int16(fields.producerEpoch);
      w.int32(p.firstSequence ?? 0);
      w.int32(messages.length);
      for (let i = 0; i < messages.length; i++) {
        const m = messages[i];
        w.varint(lens[l]);
        w.int8(0); // attributes
        w.int8(0); // timestamp delta (varlong 0)
        w.varint(i);
        w.varBytes(m.key, lens[l + 1]);
        w.varBytes(m.value, lens[l + 2]);
        const count = lens[l + 3];
        l += 4;
        w.varint(count);
        if (count === 0) continue;
        const headers = m.headers as NonNullable<ProduceMessage['headers']>;
        for (const k of Object.keys(headers)) {
          const v = headers[k];
          for (const e of Array.isArray(v) ? v : [v]) {
            w.varBytes(k, lens[l]);
            w.varBytes(e, lens[l + 1]);
            l += 2;
          }
        }
      }
      w.buf.writeUInt32BE(crc32c(w.buf.subarray(bodyAt, w.offset)) >>> 0, crcAt);
    }
  }
  if (w.offset !== total) throw new Error(`produce request sized ${total} bytes but ${w.offset} were written`);
  return w.buf;
}
