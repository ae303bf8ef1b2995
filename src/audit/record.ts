/**
 * The audit record (docs/design.md §4): one immutable object per record, stored as
 * the RFC 8785 canonical JSON of its fields. A record's digest is SHA-256 of
 * its stored bytes, which are never re-serialised before hashing, so a reader
 * needs no JSON library that agrees with ours to check a chain.
 */
import { canonicalJson } from '../core/canonical-json.js';
import { isDigest, sha256, type Digest } from '../core/digest.js';
import { GateError } from '../core/errors.js';
import { isUtf8 } from 'node:buffer';
import { nestsDeeperThan, valueNestsDeeperThan } from './json-depth.js';
import { isWellFormed } from './unicode.js';
import { scanCanonical } from './canonical-scan.js';
import * as crypto from 'node:crypto';

/** Format version written into every record. */
export const RECORD_VERSION = 1;

/**
 * Records stay under 64 KiB: a record is a statement about an event, not a
 * container for the evidence (large evidence goes elsewhere and is named by
 * its digest in `subject`). The bound also keeps a verifier's memory flat.
 */
export const MAX_RECORD_BYTES = 64 * 1024;

/**
 * Records nest at most 64 levels of objects and arrays (the record object is
 * level 1, `details` level 2). Every JSON serialiser and every reader that
 * walks a value recurses, so a deeper record (a few thousand levels fit in
 * 64 KiB) would crash each of them: it is refused when written and is
 * `unparseable` when read.
 */
export const MAX_RECORD_DEPTH = 64;

/** A JSON value as stored in `details`. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };
export type JsonObject = { [k: string]: JsonValue };

export interface AuditRecord {
  v: typeof RECORD_VERSION;
  /** The log's name: fixed by record 0, the same in every record of a chain. */
  log: string;
  seq: number;
  /** Digest of the previous record's stored bytes; ZERO_DIGEST for seq 0. */
  prev: Digest;
  /** When the writer built the record: ISO 8601 UTC (`2026-01-31T12:00:00.000Z`). */
  time: string;
  event_type: string;
  component: string;
  actor: string;
  action: string;
  /** Digests of what the event is about (model file, dataset, statement). */
  subject: Digest[];
  details: JsonObject;
  compliance_tags: string[];
}

/** What a writer supplies; the append protocol fills in v, seq, prev and time. */
export interface RecordInput {
  /** Log name for a new log; an existing log keeps the name of its record 0. */
  log?: string;
  event_type: string;
  component: string;
  actor: string;
  action: string;
  subject?: string[];
  details?: unknown;
  compliance_tags?: string[];
}

const FIELDS = [
  'v', 'log', 'seq', 'prev', 'time', 'event_type', 'component', 'actor', 'action',
  'subject', 'details', 'compliance_tags',
] as const;
const FIELD_SET: ReadonlySet<string> = new Set(FIELDS);

/** Log names: what a store prefix or `<owner>/<repo>` looks like. */
const LOG_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._\/-]{0,199}$/;
const TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** The default log name when a new log is started without `--log`. */
export const DEFAULT_LOG_NAME = 'default';

/** Checks a log name, naming the flag or field it came from. */
export function checkLogName(name: unknown, where: string): string {
  if (typeof name === 'string' && LOG_NAME_RE.test(name)) return name;
  throw new GateError('E_INPUT', `not a valid log name: ${JSON.stringify(name)}`, {
    where,
    hint: 'use 1 to 200 characters of letters, digits, ".", "_", "-" and "/", starting with a letter or digit',
  });
}

/**
 * Validates a writer's input into the fields of a record (everything but v,
 * seq, prev, time). Errors name the field at fault.
 */
export function checkRecordInput(input: RecordInput): Omit<AuditRecord, 'v' | 'seq' | 'prev' | 'time' | 'log'> & { log?: string } {
  const text = (field: keyof RecordInput): string => {
    const value = input[field];
    if (typeof value !== 'string' || value.length === 0) {
      throw new GateError('E_INPUT', `${field} must be a non-empty string`, { where: field });
    }
    if (!isWellFormed(value)) throw loneSurrogateError(field);
    return value;
  };
  const subject = (input.subject ?? []).map((d, i) => {
    if (!isDigest(d)) {
      throw new GateError('E_INPUT', `not a digest: ${JSON.stringify(d)}`, {
        where: `subject[${i}]`,
        hint: 'write digests as sha256:<64 lowercase hex digits>',
      });
    }
    return d;
  });
  const details = input.details ?? {};
  if (details === null || typeof details !== 'object' || Array.isArray(details)) {
    throw new GateError('E_INPUT', 'details must be a JSON object', { where: 'details' });
  }
  // Before anything walks it: a deep value overflows every recursive serialiser.
  if (valueNestsDeeperThan(details, MAX_RECORD_DEPTH - 1)) throw detailsTooDeep('details');
  const lone = illFormedPath(details, 'details');
  if (lone !== null) throw loneSurrogateError(lone);
  // Canonicalising now rejects what JSON cannot hold (NaN, Infinity, functions).
  canonicalJson(details);
  const tags = (input.compliance_tags ?? []).map((t, i) => {
    if (typeof t !== 'string' || t.length === 0) {
      throw new GateError('E_INPUT', 'compliance tags must be non-empty strings', { where: `compliance_tags[${i}]` });
    }
    if (!isWellFormed(t)) throw loneSurrogateError(`compliance_tags[${i}]`);
    return t;
  });
  return {
    log: input.log === undefined ? undefined : checkLogName(input.log, 'log'),
    event_type: text('event_type'),
    component: text('component'),
    actor: text('actor'),
    action: text('action'),
    subject,
    details: details as JsonObject,
    compliance_tags: tags,
  };
}

function loneSurrogateError(where: string): GateError {
  return new GateError('E_INPUT', 'a string holds a lone surrogate, which RFC 8785 (the record\'s canonical form) forbids', {
    where,
    hint: 'pass well-formed Unicode: a character outside the BMP is a surrogate pair, never half of one',
  });
}

/**
 * The path of the first string or key in a parsed value that holds a lone
 * surrogate (`details.note`, `details.list[2]`), or null. The value nests at
 * most MAX_RECORD_DEPTH levels (checked before), so the walk is bounded.
 */
export function illFormedPath(value: unknown, path: string): string | null {
  if (typeof value === 'string') return isWellFormed(value) ? null : path;
  if (value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = illFormedPath(value[i], `${path}[${i}]`);
      if (p !== null) return p;
    }
    return null;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (!isWellFormed(k)) return `${path}.${JSON.stringify(k)}`;
    const p = illFormedPath(v, `${path}.${k}`);
    if (p !== null) return p;
  }
  return null;
}

/** The error for details nested deeper than a record allows; `where` names their source. */
export function detailsTooDeep(where: string): GateError {
  return new GateError('E_INPUT', `details are nested more than ${MAX_RECORD_DEPTH - 1} levels deep`, {
    where,
    hint: `a record nests at most ${MAX_RECORD_DEPTH} levels of objects and arrays (details are its level 2): flatten the details, or store the document elsewhere and name it by digest with --subject`,
  });
}

/**
 * The stored bytes of a record: its canonical JSON. Refuses (E_RECORD_TOO_LARGE)
 * a record of 64 KiB or more, before anything is written.
 */
export function encodeRecord(record: AuditRecord): Buffer {
  const bytes = Buffer.from(canonicalJson(record), 'utf8');
  if (bytes.length >= MAX_RECORD_BYTES) {
    throw new GateError(
      'E_RECORD_TOO_LARGE',
      `the audit record would be ${bytes.length} bytes; records must be under ${MAX_RECORD_BYTES} bytes (64 KiB)`,
      {
        where: 'details',
        hint: 'keep details small: store large evidence elsewhere and name it by its digest with --subject',
      },
    );
  }
  return bytes;
}

/** One-shot hashing (Node >= 20.12): three times faster than createHash for record-sized inputs. */
const oneShotHash = (crypto as { hash?: (alg: string, data: Uint8Array, enc: 'hex') => string }).hash;

/** SHA-256 of a record's stored bytes: what the next record's `prev` holds. */
export function recordDigest(bytes: Uint8Array): Digest {
  return oneShotHash ? `sha256:${oneShotHash('sha256', bytes, 'hex')}` : sha256(bytes);
}

/** The outcome of parsing stored bytes: a record, or why they are not one. */
export type ParsedRecord = { ok: true; record: AuditRecord } | { ok: false; reason: string };

/**
 * Parses and validates stored bytes as a record. Besides the schema, the bytes
 * must be exactly the canonical JSON of what they hold (what every writer of
 * this format produces), so a hand-edited but well-formed record is still
 * caught when it is the last one and nothing else vouches for it.
 */
export function parseRecord(bytes: Uint8Array): ParsedRecord {
  if (bytes.length >= MAX_RECORD_BYTES) {
    return { ok: false, reason: `${bytes.length} bytes, larger than any record a writer produces (64 KiB)` };
  }
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (nestsDeeperThan(buf, MAX_RECORD_DEPTH)) {
    return { ok: false, reason: `nested more than ${MAX_RECORD_DEPTH} levels deep, deeper than any record a writer produces` };
  }
  const text = buf.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `not JSON: ${(e as Error).message}` };
  }
  const problem = recordProblem(value);
  if (problem) return { ok: false, reason: problem };
  // Valid UTF-8 first: the decoder above replaced invalid bytes, which the text comparison cannot see.
  const scanned = isUtf8(buf) ? scanCanonical(buf) : false;
  if (scanned === false || (scanned === undefined && !isCanonicalText(value, text))) {
    return { ok: false, reason: 'not in canonical JSON form (RFC 8785), so not as a writer stored it' };
  }
  // Canonical text escapes a lone surrogate as \udXXX (a pair is written as UTF-8), so only then is the walk
  // needed; the scan decides only text without such an escape.
  if (scanned === undefined && text.includes('\\ud')) {
    const at = illFormedPath(value, 'record');
    if (at !== null) return { ok: false, reason: `${at} holds a lone surrogate, which RFC 8785 forbids, so no writer of this format stored it` };
  }
  return { ok: true, record: value as AuditRecord };
}

/**
 * Whether `text` is the RFC 8785 form of `value` (which JSON.parse made from
 * it), for what the byte scan (canonical-scan.ts) leaves undecided. Fast path: V8's native JSON.stringify writes strings and numbers as
 * JCS does and keeps the text's key order, so when it reproduces the text,
 * the text is canonical exactly if every object's keys are in JCS order.
 * Otherwise (e.g. integer-like keys, which JavaScript objects reorder) the
 * full canonical form decides.
 */
function isCanonicalText(value: unknown, text: string): boolean {
  if (JSON.stringify(value) === text) return keysSorted(value);
  return canonicalOfParsed(value) === text;
}

function keysSorted(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!keysSorted(v[i])) return false;
    return true;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  for (let i = 0; i < keys.length; i++) {
    // String `<` compares UTF-16 code units, the order RFC 8785 uses.
    if (i > 0 && !(keys[i - 1] < keys[i])) return false;
    if (!keysSorted(o[keys[i]])) return false;
  }
  return true;
}

/**
 * RFC 8785 text of a value that came from JSON.parse (so: no undefined, no
 * toJSON, no non-finite numbers; an overflowing literal such as 1e999 parses
 * to Infinity and serialises as "null", so it fails the comparison as it
 * should). JCS sorts keys by UTF-16 code units, which is what Array#sort
 * does, and writes strings and numbers as JSON.stringify does. This is the
 * verifier's hot path: several times faster than the general canonicaliser.
 */
function canonicalOfParsed(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) {
    let s = '[';
    for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + canonicalOfParsed(v[i]);
    return `${s}]`;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  let s = '{';
  for (let i = 0; i < keys.length; i++) s += `${i ? ',' : ''}${JSON.stringify(keys[i])}:${canonicalOfParsed(o[keys[i]])}`;
  return `${s}}`;
}

/** The first way a parsed JSON value fails the record schema, or null. */
export function recordProblem(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const r = value as Record<string, unknown>;
  for (const k of Object.keys(r)) {
    if (!FIELD_SET.has(k)) return `unknown field ${JSON.stringify(k)}`;
  }
  for (const k of FIELDS) {
    if (!(k in r)) return `field ${k} is missing`;
  }
  if (r.v !== RECORD_VERSION) return `v is ${JSON.stringify(r.v)}, expected ${RECORD_VERSION}`;
  if (typeof r.log !== 'string' || !LOG_NAME_RE.test(r.log)) return 'log is not a valid log name';
  if (typeof r.seq !== 'number' || !Number.isSafeInteger(r.seq) || r.seq < 0) return 'seq is not a non-negative integer';
  if (!isDigest(r.prev)) return 'prev is not a sha256 digest';
  if (typeof r.time !== 'string' || !TIME_RE.test(r.time)) return 'time is not an ISO 8601 UTC time';
  for (const k of ['event_type', 'component', 'actor', 'action'] as const) {
    if (typeof r[k] !== 'string' || (r[k] as string).length === 0) return `${k} is not a non-empty string`;
  }
  if (!Array.isArray(r.subject) || !r.subject.every(isDigest)) return 'subject is not a list of digests';
  if (r.details === null || typeof r.details !== 'object' || Array.isArray(r.details)) return 'details is not an object';
  if (!Array.isArray(r.compliance_tags) || !r.compliance_tags.every((t) => typeof t === 'string' && t.length > 0)) {
    return 'compliance_tags is not a list of non-empty strings';
  }
  return null;
}

/**
 * What identifies a record's event independently of where it landed in the
 * chain: everything but seq, prev and time. A writer that lost a race writes
 * the same event again at a later seq; this is how the verifier recognises it.
 */
export function eventIdentity(record: AuditRecord): string {
  const { seq: _s, prev: _p, time: _t, ...rest } = record;
  return canonicalJson(rest);
}
