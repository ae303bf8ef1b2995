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

const byteLength = (v: string | Buffer): number => (typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.length);

/** The header pairs of a message in kafkajs's order (an array value is one header per element). */
function headerPairs(headers: ProduceMessage['headers']): Array<[string, string | Buffer]> {
  const out: Array<[string, string | Buffer]> = [];
  if (!headers) return out;
  for (const k of Object.keys(headers)) {
    const v = headers[k];
    if (Array.isArray(v)) for (const e of v) out.push([k, e]);
    else out.push([k, v]);
  }
  return out;
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
  raw(v: string | Buffer, length: number): void {
    if (typeof v === 'string') this.buf.write(v, this.offset, length, 'utf8');
    else v.copy(this.buf, this.offset);
    this.offset += length;
  }
  /** Kafka STRING / NULLABLE_STRING: int16 length (-1: null), UTF-8. */
  string(v: string | null): void {
    if (v === null) return this.int16(-1);
    const n = Buffer.byteLength(v, 'utf8');
    this.int16(n);
    this.raw(v, n);
  }
}

/** One record's pieces, measured once and written once. */
interface SizedRecord {
  body: number;
  key: string | Buffer | null;
  keyLength: number;
  value: string | Buffer | null;
  valueLength: number;
  headers: Array<[string, string | Buffer, number, number]>;
}

function sizeRecord(m: ProduceMessage, offsetDelta: number): SizedRecord {
  const key = m.key ?? null;
  const value = m.value ?? null;
  const keyLength = key === null ? -1 : byteLength(key);
  const valueLength = value === null ? -1 : byteLength(value);
  const pairs = headerPairs(m.headers);
  const headers: SizedRecord['headers'] = [];
  let size =
    1 + // attributes
    1 + // timestamp delta 0 (a one-byte varlong)
    sizeOfUVarInt(zigzag(offsetDelta)) +
    sizeOfUVarInt(zigzag(keyLength)) +
    Math.max(0, keyLength) +
    sizeOfUVarInt(zigzag(valueLength)) +
    Math.max(0, valueLength) +
    sizeOfUVarInt(zigzag(pairs.length));
  for (const [k, v] of pairs) {
    const kl = Buffer.byteLength(k, 'utf8');
    const vl = byteLength(v);
    size += sizeOfUVarInt(zigzag(kl)) + kl + sizeOfUVarInt(zigzag(vl)) + vl;
    headers.push([k, v, kl, vl]);
  }
  return { body: size, key, keyLength, value, valueLength, headers };
}

/**
 * The Produce request body (without kafkajs's request header: api key,
 * version, correlation id, client id) for `fields`, with `now` as the
 * batches' timestamp. `crc32c` is CRC-32C over a buffer (kafkajs's own is
 * passed in by the adapter).
 */
export function encodeProduceRequest(fields: ProduceFields, now: number, crc32c: (b: Buffer) => number): Buffer {
  const attributes = fields.transactionalId ? TRANSACTIONAL_ATTRIBUTE : 0;
  // Pass 1: sizes.
  const topics = fields.topicData.map((t) => ({
    topic: t.topic,
    topicLength: Buffer.byteLength(t.topic, 'utf8'),
    partitions: t.partitions.map((p) => {
      const records = p.messages.map((m, i) => sizeRecord(m, i));
      let recordsBytes = 0;
      for (const r of records) recordsBytes += sizeOfUVarInt(zigzag(r.body)) + r.body;
      return { p, records, batchBytes: BATCH_PREFIX + BATCH_BODY_HEADER + recordsBytes };
    }),
  }));
  let total = 2 + (fields.transactionalId === null ? 0 : Buffer.byteLength(fields.transactionalId, 'utf8')) + 2 + 4 + 4;
  for (const t of topics) {
    total += 2 + t.topicLength + 4;
    for (const p of t.partitions) total += 4 + 4 + p.batchBytes;
  }
  // Pass 2: one buffer, written front to back.
  const w = new Writer(Buffer.allocUnsafe(total));
  w.string(fields.transactionalId);
  w.int16(fields.acks);
  w.int32(fields.timeout);
  w.int32(topics.length);
  const ts = BigInt(now);
  for (const t of topics) {
    w.string(t.topic);
    w.int32(t.partitions.length);
    for (const { p, records, batchBytes } of t.partitions) {
      w.int32(p.partition);
      w.int32(batchBytes);
      w.int64(0n); // base offset
      w.int32(batchBytes - 12); // batch length: what follows this field
      w.int32(0); // partition leader epoch
      w.int8(MAGIC);
      const crcAt = w.offset;
      w.uint32(0);
      const bodyAt = w.offset;
      w.int16(attributes);
      w.int32(records.length - 1); // last offset delta
      w.int64(ts);
      w.int64(ts);
      w.int64(fields.producerId);
      w.int16(fields.producerEpoch);
      w.int32(p.firstSequence ?? 0);
      w.int32(records.length);
      for (let i = 0; i < records.length; i++) {
        const r = records[i];
        w.varint(r.body);
        w.int8(0); // attributes
        w.int8(0); // timestamp delta (varlong 0)
        w.varint(i);
        w.varint(r.keyLength);
        if (r.key !== null) w.raw(r.key, r.keyLength);
        w.varint(r.valueLength);
        if (r.value !== null) w.raw(r.value, r.valueLength);
        w.varint(r.headers.length);
        for (const [k, v, kl, vl] of r.headers) {
          w.varint(kl);
          w.raw(k, kl);
          w.varint(vl);
          w.raw(v, vl);
        }
      }
      w.buf.writeUInt32BE(crc32c(w.buf.subarray(bodyAt, w.offset)) >>> 0, crcAt);
    }
  }
  if (w.offset !== total) throw new Error(`produce request sized ${total} bytes but ${w.offset} were written`);
  return w.buf;
}
