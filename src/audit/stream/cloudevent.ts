/**
 * An audit record as a CloudEvents 1.0 event in the Kafka protocol binding,
 * binary content mode: the Kafka value is the record's stored bytes, unchanged
 * (so SHA-256 of the value is the record's digest), and every other attribute
 * is a `ce_` header. Pure: no I/O.
 *
 * Attributes (docs/audit-stream.md):
 *   ce_specversion  1.0
 *   ce_id           <log>/<seq>             unique per event within the source
 *   ce_source       the store URL, without credentials
 *   ce_type         the record's event_type
 *   ce_time         the record's time (RFC 3339)
 *   ce_sequence     seq as 20 decimal digits (CloudEvents Sequence extension:
 *                   lexicographically ordered, contiguous)
 *   ce_prev         the record's prev (sha256:<hex> of the previous record)
 *   ce_digest       sha256:<hex> of the value: the record's digest
 *   ce_partitionkey the log name, also the Kafka key (Partitioning extension)
 *   content-type    application/json
 * Extension names follow the CloudEvents naming rule: lower-case ASCII letters
 * and digits, at most 20 characters.
 */
import type { Digest } from '../../core/digest.js';
import { isDigest } from '../../core/digest.js';
import { parseRecord, recordDigest, type AuditRecord } from '../record.js';

export const CE_SPECVERSION = '1.0';
export const RECORD_CONTENT_TYPE = 'application/json';

/** The Kafka header names, as the binding maps attribute names (`ce_` + name). */
export const HEADER = {
  specversion: 'ce_specversion',
  id: 'ce_id',
  source: 'ce_source',
  type: 'ce_type',
  time: 'ce_time',
  sequence: 'ce_sequence',
  prev: 'ce_prev',
  digest: 'ce_digest',
  partitionkey: 'ce_partitionkey',
  contentType: 'content-type',
} as const;

/** A Kafka message as we produce it: key, value, UTF-8 string headers. */
export interface StreamMessage {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/** A message as read back from the topic (header values as bytes). */
export interface TopicMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | string | undefined>;
}

/** The fixed width of `ce_sequence`: the store's key width, so both sort alike. */
const SEQUENCE_DIGITS = 20;

/** `ce_sequence` for a seq: 20 digits, zero-padded. */
export function sequenceAttribute(seq: number): string {
  return String(seq).padStart(SEQUENCE_DIGITS, '0');
}

/**
 * Characters a CloudEvents String may not hold: control characters
 * (U+0000–U+001F, U+007F–U+009F), unpaired surrogates and noncharacters. A
 * record's event_type could contain one (the record format allows any
 * non-empty string); the header then carries it escaped (`%0A`, `%uD800`),
 * and the value still holds the exact text.
 */
const NOT_CE_STRING = /[\u0000-\u001f\u007f-\u009f\ufdd0-\ufdef\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The value as a valid CloudEvents String (see {@link NOT_CE_STRING}). */
export function ceString(value: string): string {
  return value.replace(NOT_CE_STRING, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `%${code.toString(16).toUpperCase().padStart(2, '0')}` : `%u${code.toString(16).toUpperCase()}`;
  });
}

/**
 * The store URL as a CloudEvents `source`: the URL without any user
 * information (`user:password@`), which must never reach a topic.
 */
export function sourceAttribute(storeUrl: string): string {
  return storeUrl.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/@?#]*@/, '$1');
}

/**
 * The message for one record: `bytes` are its stored bytes, `record` their
 * parse, `digest` their SHA-256 when the caller has it already.
 */
export function recordMessage(bytes: Uint8Array, record: AuditRecord, source: string, digest?: Digest): StreamMessage {
  const value = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  return {
    key: record.log,
    value,
    headers: {
      [HEADER.specversion]: CE_SPECVERSION,
      [HEADER.id]: `${record.log}/${record.seq}`,
      [HEADER.source]: ceString(source),
      [HEADER.type]: ceString(record.event_type),
      [HEADER.time]: record.time,
      [HEADER.sequence]: sequenceAttribute(record.seq),
      [HEADER.prev]: record.prev,
      [HEADER.digest]: digest ?? recordDigest(value),
      [HEADER.partitionkey]: record.log,
      [HEADER.contentType]: RECORD_CONTENT_TYPE,
    },
  };
}

/** What a consumer can learn from one message of the stream. */
export type ParsedMessage =
  | {
      ok: true;
      offset: string;
      log: string;
      seq: number;
      /** The value: the record's stored bytes. */
      bytes: Buffer;
      /** SHA-256 of the value (what the next record's prev must be). */
      digest: Digest;
      /** The digest the producer stated in ce_digest. */
      statedDigest: string;
      prev: string;
      /** The record the value holds, when it parses as one. */
      record: AuditRecord | null;
    }
  | { ok: false; offset: string; log: string | null; seq: number | null; reason: string };

function header(m: TopicMessage, name: string): string | undefined {
  const v = m.headers[name];
  if (v === undefined) return undefined;
  return Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
}

/**
 * Reads a message back: its id, sequence and digest attributes must agree
 * with each other and with the record in the value. Whatever disagrees is a
 * reason (the message was not written by this producer as it stands).
 */
export function parseMessage(m: TopicMessage): ParsedMessage {
  const id = header(m, HEADER.id);
  const slash = id ? id.lastIndexOf('/') : -1;
  const idLog = id && slash > 0 ? id.slice(0, slash) : null;
  const idSeq = id && slash > 0 && /^\d+$/.test(id.slice(slash + 1)) ? Number(id.slice(slash + 1)) : null;
  const fail = (reason: string): ParsedMessage => ({ ok: false, offset: m.offset, log: idLog, seq: idSeq, reason });
  if (header(m, HEADER.specversion) !== CE_SPECVERSION) return fail(`not a CloudEvents ${CE_SPECVERSION} message (no ${HEADER.specversion}: ${CE_SPECVERSION} header)`);
  if (idLog === null || idSeq === null || !Number.isSafeInteger(idSeq)) return fail(`${HEADER.id} is not <log>/<seq>: ${JSON.stringify(id)}`);
  const sequence = header(m, HEADER.sequence);
  if (sequence !== sequenceAttribute(idSeq)) return fail(`${HEADER.sequence} ${JSON.stringify(sequence)} disagrees with ${HEADER.id} ${JSON.stringify(id)}`);
  if (!m.value || m.value.length === 0) return fail('the message has no value (the record bytes)');
  const statedDigest = header(m, HEADER.digest) ?? '';
  const prev = header(m, HEADER.prev) ?? '';
  if (!isDigest(prev)) return fail(`${HEADER.prev} is not a sha256 digest: ${JSON.stringify(prev)}`);
  const digest = recordDigest(m.value);
  const parsed = parseRecord(m.value);
  const record = parsed.ok ? parsed.record : null;
  return { ok: true, offset: m.offset, log: idLog, seq: idSeq, bytes: m.value, digest, statedDigest, prev, record };
}
