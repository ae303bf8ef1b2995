import { createHash } from 'node:crypto';
import {
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  PutObjectCommand,
  type GetObjectCommandOutput,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { GateError } from '../../core/errors.js';
import {
  entryKey,
  seqOfEntryKey,
  type AuditStore,
  type CreateResult,
  type KeyInspection,
  type LaterVersion,
  type Retention,
  type StoreDir,
} from '../store.js';
import { buildS3Client, tuningFromEnv } from './s3-client.js';
import { isTransient, nameOf, s3Error, statusOf } from './s3-errors.js';
import { lockProblems, type BucketLockState } from './s3-lock.js';
import { parseS3Url, type S3StoreConfig } from './s3-url.js';
import { listLatestKeys, listVersions, owningVersion, type KeyVersions } from './s3-versions.js';

/** Options an s3:// store takes besides its URL. */
export interface S3StoreOptions {
  /** Where credentials (AWS_*) and tuning (MRG_S3_*) come from; the CLI passes the process environment. */
  env: Record<string, string | undefined>;
  /** Page size of version listings (tests use a small one to exercise paging). */
  pageSize?: number;
}

/** An S3 store, with the parsed URL for callers that need it (the verifier's retention check). */
export interface S3AuditStore extends AuditStore {
  readonly config: S3StoreConfig;
}

/** Later versions bigger than this are reported without their bytes (a rogue upload may be huge). */
const LATER_VERSION_READ_LIMIT = 1024 * 1024;

/** How long a directory listing may stand in for a fresh one in `inspect` (ms). */
const LISTING_FRESH_MS = 5 * 60 * 1000;

/** How long a passed Object Lock check stands (ms): appends in a row need not ask each time. */
const LOCK_CHECK_FRESH_MS = 60 * 1000;

/** Past this many gaps in the entry numbers, list every version instead of probing each gap. */
const MAX_GAP_PROBES = 64;

/** Owning bytes remembered per store (keys this process wrote or lost to): enough for the head. */
const OWNER_CACHE_SIZE = 64;

/**
 * Opens an `s3://BUCKET[/PREFIX]?region=R&endpoint=URL&...` store (see
 * {@link parseS3Url} for the parameters). Opening does no I/O; the bucket is
 * checked by `checkAppendable()` before the first append.
 */
export async function openS3Store(url: URL | string, options: S3StoreOptions): Promise<S3AuditStore> {
  const config = parseS3Url(url, options.env);
  const tuning = tuningFromEnv(options.env);
  // Two clients over the same settings: reads, lists and lock queries are
  // idempotent, so the SDK may retry them itself; a PUT is retried only by
  // the append protocol's loop (retry.ts), and `create` first looks whether
  // the lost attempt landed, because a blind re-PUT on a versioned bucket
  // writes a second version.
  const client = buildS3Client(config, options.env, tuning);
  const putClient = buildS3Client(config, options.env, { ...tuning, maxAttempts: 1 });
  return new S3Store(config, client, putClient, options.pageSize);
}

/** What each kind of object is, for anyone who reads the bucket with other tools. */
function contentTypeOf(key: string): string {
  if (key.endsWith('.jws')) return 'application/jose';
  if (key.endsWith('.note')) return 'text/plain; charset=utf-8';
  if (key.startsWith('tile/')) return 'application/octet-stream';
  if (key.startsWith('index/')) return 'text/plain; charset=utf-8';
  return 'application/json';
}

function md5Base64(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('base64');
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function isPreconditionFailed(e: unknown): boolean {
  return statusOf(e) === 412 || nameOf(e) === 'PreconditionFailed';
}

/** A conditional-write race on AWS (409 ConditionalRequestConflict): try again. */
function isConditionalConflict(e: unknown): boolean {
  return nameOf(e) === 'ConditionalRequestConflict';
}

function isNoSuchVersion(e: unknown): boolean {
  const n = nameOf(e);
  return n === 'NoSuchVersion' || n === 'NoSuchKey' || statusOf(e) === 404;
}

class S3Store implements S3AuditStore {
  readonly displayUrl: string;
  readonly retentionDays: number;
  /** Versions per full key, from the last version listing that covered it. */
  private readonly listed = new Map<string, { kv: KeyVersions; at: number }>();
  /** One listing of every version in a directory, shared by concurrent `inspect` calls. */
  private readonly dirIndex = new Map<string, { at: number; done: Promise<void> }>();
  /** Where the last listing of a directory started (set by `listAfter`), so its index starts there too. */
  private readonly indexFloor = new Map<string, string>();
  /**
   * Owning bytes of keys this store wrote or found taken. The owning version
   * of a COMPLIANCE-locked key never changes, so the append protocol's read
   * of the head it just wrote needs no request.
   */
  private readonly owners = new Map<string, Uint8Array>();
  /**
   * Keys whose last create ended in doubt (a PUT that may have landed): the
   * next create of the key looks before it writes, so a retry by the caller
   * never leaves a duplicate version behind.
   */
  private readonly doubtful = new Set<string>();
  private lockCheckedAt = -Infinity;
  /** Entry keys (full) known to hold a record, and the highest, from the last `list('entries')`. */
  private knownEntries?: { keys: Set<string>; last?: string };

  constructor(
    readonly config: S3StoreConfig,
    private readonly client: S3Client,
    private readonly putClient: S3Client,
    private readonly pageSize?: number,
  ) {
    this.displayUrl = config.displayUrl;
    this.retentionDays = config.retentionDays;
  }

  private rememberOwner(full: string, bytes: Uint8Array): void {
    this.owners.delete(full);
    this.owners.set(full, bytes);
    if (this.owners.size > OWNER_CACHE_SIZE) this.owners.delete(this.owners.keys().next().value as string);
  }

  private fullKey(key: string): string {
    return `${this.config.prefix}${key}`;
  }

  private where(key?: string): string {
    return key === undefined ? this.displayUrl : `${this.displayUrl} (key ${this.fullKey(key)})`;
  }

  async checkAppendable(): Promise<void> {
    if (Date.now() - this.lockCheckedAt < LOCK_CHECK_FRESH_MS) return;
    const { bucket } = this.config;
    let state: BucketLockState;
    try {
      const out = await this.client.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }));
      const conf = out.ObjectLockConfiguration;
      const rule = conf?.Rule?.DefaultRetention;
      state = {
        enabled: conf?.ObjectLockEnabled === 'Enabled',
        mode: rule?.Mode,
        days: rule?.Days,
        years: rule?.Years,
      };
    } catch (e) {
      if (nameOf(e) === 'ObjectLockConfigurationNotFoundError') {
        state = { enabled: false };
      } else {
        throw s3Error(e, `reading the Object Lock configuration of bucket ${bucket}`, this.displayUrl);
      }
    }
    const problems = lockProblems(state, this.config);
    if (problems.length) {
      throw new GateError(
        'E_S3_NOT_LOCKED',
        `bucket ${bucket} cannot hold the audit log: its S3 Object Lock does not keep records long enough: ${problems.join('; ')}`,
        {
          where: this.displayUrl,
          hint: `audit records must be undeletable for ${this.config.retentionDays} days (S3 Object Lock, COMPLIANCE mode); model-gate audit init --store <URL> creates a bucket that complies`,
        },
      );
    }
    this.lockCheckedAt = Date.now();
  }

  /**
   * Create-only write. `If-None-Match: *` stops a second writer on AWS (412);
   * Ceph RGW ignores it in versioned buckets and writes a second version, so
   * ownership is then confirmed by version order: this writer owns the key
   * only if its version is the oldest. A transient failure may have hidden a
   * PUT that landed, so before trying again we look at what the key holds.
   */
  async create(key: string, bytes: Uint8Array): Promise<CreateResult> {
    const full = this.fullKey(key);
    const result = await this.createUncached(key, full, bytes);
    this.rememberOwner(full, result.created ? bytes : result.existing);
    return result;
  }

  /**
   * One attempt; the caller's retry loop (audit/retry.ts withRetry) is the
   * only one. A key whose last PUT got no answer stays doubtful across
   * attempts, so the next one looks at what the key holds before writing again.
   */
  private async createUncached(key: string, full: string, bytes: Uint8Array): Promise<CreateResult> {
    try {
      if (this.doubtful.has(full)) {
        const owner = await this.owner(full);
        if (owner) {
          this.doubtful.delete(full);
          // Our lost attempt may be the owner (same bytes: success), or someone else won.
          return sameBytes(owner.bytes, bytes) ? { created: true } : { created: false, existing: owner.bytes };
        }
      }
      // From here until an answer, a PUT may land without our knowing.
      this.doubtful.add(full);
      const result = await this.putAndConfirm(key, full, bytes);
      this.doubtful.delete(full);
      return result;
    } catch (e) {
      const err = s3Error(e, `writing ${full}`, this.where(key));
      // A definitive answer (not transient): that PUT did not land unseen.
      if (!isTransient(err)) this.doubtful.delete(full);
      throw err;
    }
  }

  private async putAndConfirm(key: string, full: string, bytes: Uint8Array): Promise<CreateResult> {
    const input: PutObjectCommandInput = {
      Bucket: this.config.bucket,
      Key: full,
      Body: bytes,
      ContentLength: bytes.byteLength,
      // Object Lock buckets refuse a PUT without a content checksum.
      ContentMD5: md5Base64(bytes),
      ContentType: contentTypeOf(key),
      IfNoneMatch: '*',
    };
    const sse = this.config.encryption;
    if (sse.kind === 'AES256') input.ServerSideEncryption = 'AES256';
    if (sse.kind === 'aws:kms') {
      input.ServerSideEncryption = 'aws:kms';
      if (sse.kmsKeyId) input.SSEKMSKeyId = sse.kmsKeyId;
    }
    let versionId: string | undefined;
    try {
      const out = await this.putClient.send(new PutObjectCommand(input));
      versionId = out.VersionId;
    } catch (e) {
      if (isPreconditionFailed(e)) {
        const owner = await this.owner(full);
        if (owner) return { created: false, existing: owner.bytes };
        // 412 yet no version to read: a delete-and-recreate race; let the caller retry.
      }
      if (isPreconditionFailed(e) || isConditionalConflict(e)) {
        throw s3Error(Object.assign(new Error(`conditional write conflict on ${full}`), { name: 'ConditionalRequestConflict', $retryable: true }), `writing ${full}`, this.where(key));
      }
      throw e;
    }
    // No version id: an unversioned bucket, where If-None-Match is honoured
    // (checkAppendable refuses those before any append; a version is always
    // returned on an Object Lock bucket).
    if (versionId === undefined) return { created: true };
    const kv = await this.versionsOf(full);
    const oldest = owningVersion(kv);
    if (oldest === undefined) {
      throw s3Error(
        Object.assign(new Error(`the version just written to ${full} is not listed`), { $retryable: true }),
        `confirming ${full}`,
        this.where(key),
      );
    }
    if (oldest.versionId === versionId) return { created: true };
    // We lost the race: our version stays behind as a later version (the
    // verifier recognises it when the record reappears further on).
    return { created: false, existing: await this.getVersionBytes(full, oldest.versionId) };
  }

  /** The owning version and its bytes, freshly listed; undefined when the key has no data version. */
  private async owner(full: string): Promise<{ versionId: string; bytes: Uint8Array } | undefined> {
    const oldest = owningVersion(await this.versionsOf(full));
    if (!oldest) return undefined;
    return { versionId: oldest.versionId, bytes: await this.getVersionBytes(full, oldest.versionId) };
  }

  /** Every version of one key, listed now. */
  private async versionsOf(full: string): Promise<KeyVersions> {
    const map = await listVersions(this.client, this.config.bucket, full, { exactKey: full, pageSize: this.pageSize });
    return map.get(full) ?? { versions: [], deleteMarkers: [] };
  }

  private async getVersion(full: string, versionId: string): Promise<{ out: GetObjectCommandOutput; bytes: Uint8Array }> {
    const out = await this.client.send(
      new GetObjectCommand({ Bucket: this.config.bucket, Key: full, VersionId: versionId }),
    );
    const bytes = out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
    return { out, bytes };
  }

  private async getVersionBytes(full: string, versionId: string): Promise<Uint8Array> {
    return (await this.getVersion(full, versionId)).bytes;
  }

  /** Whether a version listing of the key is recent enough for `inspect`. */
  private fresh(full: string): boolean {
    const hit = this.listed.get(full);
    return hit !== undefined && Date.now() - hit.at <= LISTING_FRESH_MS;
  }

  /**
   * The versions of a key: from the last listing that covered it when that
   * is recent enough (`maxAgeMs`), else listed now.
   */
  private async knownVersions(full: string, maxAgeMs: number): Promise<{ kv: KeyVersions; cached: boolean }> {
    const hit = this.listed.get(full);
    // A key without data versions may have gained one since; only a recent listing vouches for that.
    if (hit && Date.now() - hit.at <= maxAgeMs && (hit.kv.versions.length > 0 || maxAgeMs !== Infinity)) {
      return { kv: hit.kv, cached: true };
    }
    return { kv: await this.versionsOf(full), cached: false };
  }

  /**
   * The record's bytes: the oldest version, read by version id, so neither a
   * delete marker nor a later rogue version can hide or replace it.
   */
  async read(key: string): Promise<Uint8Array | null> {
    const full = this.fullKey(key);
    const known = this.owners.get(full);
    if (known) return known;
    try {
      // The oldest version of a COMPLIANCE-locked key never changes, so any
      // listing of it will do; a 404 (a version removed under GOVERNANCE) relists.
      let { kv, cached } = await this.knownVersions(full, Infinity);
      for (;;) {
        const oldest = owningVersion(kv);
        if (!oldest) return null;
        try {
          return await this.getVersionBytes(full, oldest.versionId);
        } catch (e) {
          if (!cached || !isNoSuchVersion(e)) throw e;
          this.listed.delete(full);
          kv = await this.versionsOf(full);
          cached = false;
        }
      }
    } catch (e) {
      throw s3Error(e, `reading ${full}`, this.where(key));
    }
  }

  /**
   * Keys in a directory that hold a record (at least one data version),
   * ascending. A record whose latest version is a delete marker is still
   * found: entries are listed with ListObjectsV2 (cheap), then the versions
   * after the last visible key and at every gap in the sequence numbers are
   * looked up, which is where delete-marked records hide. Checkpoints (few)
   * are listed with all their versions. A key holding only delete markers has
   * no record and is left out.
   */
  async list(dir: StoreDir): Promise<string[]> {
    const dirPrefix = `${this.config.prefix}${dir}/`;
    this.indexFloor.delete(dirPrefix);
    let fullKeys: string[];
    try {
      fullKeys = dir === 'entries' ? await this.listEntries(dirPrefix) : await this.listByVersions(dirPrefix);
    } catch (e) {
      throw s3Error(e, `listing ${dirPrefix}`, this.displayUrl);
    }
    return this.relativeSorted(fullKeys);
  }

  /**
   * Keys of a directory after `afterKey`, ascending, found as `list` finds
   * them (delete-marked records included). A verifier starting from a
   * checkpoint then reads, and indexes the versions of, only what follows it.
   */
  async listAfter(dir: StoreDir, afterKey: string): Promise<string[]> {
    const dirPrefix = `${this.config.prefix}${dir}/`;
    const after = this.fullKey(afterKey);
    this.indexFloor.set(dirPrefix, after);
    let fullKeys: string[];
    try {
      fullKeys = dir === 'entries' ? await this.listEntriesAfter(dirPrefix, after) : await this.listByVersions(dirPrefix, after);
    } catch (e) {
      throw s3Error(e, `listing ${dirPrefix} after ${afterKey}`, this.displayUrl);
    }
    return this.relativeSorted(fullKeys);
  }

  private relativeSorted(fullKeys: string[]): string[] {
    const keys = fullKeys.map((k) => k.slice(this.config.prefix.length));
    return keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  private async listEntriesAfter(dirPrefix: string, after: string): Promise<string[]> {
    const found = new Set(await listLatestKeys(this.client, this.config.bucket, dirPrefix, { pageSize: this.pageSize, startAfter: after }));
    let last = after;
    for (const k of found) if (k > last) last = k;
    for (const k of await this.listByVersions(dirPrefix, last)) found.add(k);
    const afterSeq = seqOfEntryKey(after.slice(this.config.prefix.length));
    await this.probeGaps(found, afterSeq === null ? 0 : afterSeq + 1, dirPrefix);
    return [...found];
  }

  /**
   * Looks for records hidden by a delete marker at every missing sequence
   * number from `fromSeq` up to the highest found, adding them to `found`.
   */
  private async probeGaps(found: Set<string>, fromSeq: number, dirPrefix: string): Promise<void> {
    const seqs = new Set<number>();
    let maxSeq = -1;
    for (const k of found) {
      const seq = seqOfEntryKey(k.slice(this.config.prefix.length));
      if (seq === null) continue;
      seqs.add(seq);
      if (seq > maxSeq) maxSeq = seq;
    }
    const gaps: string[] = [];
    for (let seq = fromSeq; seq < maxSeq && gaps.length <= MAX_GAP_PROBES; seq++) {
      if (!seqs.has(seq)) gaps.push(this.fullKey(entryKey(seq)));
    }
    if (gaps.length > MAX_GAP_PROBES) {
      const floor = fromSeq > 0 ? this.fullKey(entryKey(fromSeq - 1)) : undefined;
      for (const k of await this.listByVersions(dirPrefix, floor)) found.add(k);
      return;
    }
    const at = Date.now();
    await Promise.all(
      gaps.map(async (full) => {
        const kv = await this.versionsOf(full);
        this.listed.set(full, { kv, at });
        if (kv.versions.length > 0) found.add(full);
      }),
    );
  }

  async keysWithLaterVersions(dir: StoreDir): Promise<string[]> {
    const dirPrefix = `${this.config.prefix}${dir}/`;
    let map: Map<string, KeyVersions>;
    try {
      map = await listVersions(this.client, this.config.bucket, dirPrefix, { pageSize: this.pageSize });
    } catch (e) {
      throw s3Error(e, `listing the versions of ${dirPrefix}`, this.displayUrl);
    }
    const at = Date.now();
    const keys: string[] = [];
    for (const [full, kv] of map) {
      // Cached as `inspect` would list them, so inspecting these keys next costs no second listing.
      this.listed.set(full, { kv, at });
      if (kv.versions.length > 0 && (kv.versions.length > 1 || kv.deleteMarkers.length > 0)) keys.push(full);
    }
    return this.relativeSorted(keys);
  }

  /** Keys with a data version, from a listing of every version (caching what it learns). */
  private async listByVersions(dirPrefix: string, startAfter?: string): Promise<string[]> {
    const map = await listVersions(this.client, this.config.bucket, dirPrefix, { pageSize: this.pageSize, startAfter });
    const at = Date.now();
    const keys: string[] = [];
    for (const [full, kv] of map) {
      this.listed.set(full, { kv, at });
      if (kv.versions.length > 0) keys.push(full);
    }
    return keys;
  }

  private async listEntries(dirPrefix: string): Promise<string[]> {
    let found: Set<string>;
    let last: string | undefined;
    if (this.knownEntries) {
      // Entry keys never go away (their versions are locked), so a store
      // that has listed once asks only for what came after: one request per
      // append's head lookup however long the log, instead of one per 1,000
      // records. Gaps are probed again below, as on the first listing.
      found = new Set(this.knownEntries.keys);
      last = this.knownEntries.last;
    } else {
      found = new Set(await listLatestKeys(this.client, this.config.bucket, dirPrefix, { pageSize: this.pageSize }));
      for (const k of found) if (last === undefined || k > last) last = k;
    }
    // Everything after the last key known: new records, and records whose
    // latest version is a delete marker (ListObjectsV2 does not show those).
    for (const k of await this.listByVersions(dirPrefix, last)) found.add(k);
    // Records in the middle hidden the same way leave a gap in the numbers.
    await this.probeGaps(found, 0, dirPrefix);
    let newLast: string | undefined;
    for (const k of found) if (newLast === undefined || k > newLast) newLast = k;
    this.knownEntries = { keys: found, last: newLast };
    return [...found];
  }

  /**
   * Makes sure every version in a directory has been listed recently, once
   * for all concurrent callers: a verifier inspecting thousands of records
   * then pays one listing instead of one request per record.
   */
  private async indexDirectory(dirPrefix: string): Promise<void> {
    const hit = this.dirIndex.get(dirPrefix);
    if (hit && Date.now() - hit.at <= LISTING_FRESH_MS) return hit.done;
    // After listAfter (a verify from a checkpoint), only the versions after its key.
    const done = this.listByVersions(dirPrefix, this.indexFloor.get(dirPrefix)).then(() => undefined);
    this.dirIndex.set(dirPrefix, { at: Date.now(), done });
    done.catch(() => this.dirIndex.delete(dirPrefix));
    return done;
  }

  /**
   * The owning bytes, every later version (with its bytes when small enough)
   * and delete marker, and the owning version's Object Lock retention. Uses
   * the directory's last listing when it is recent (a verifier lists first),
   * so a verify costs about one GET per record.
   */
  async inspect(key: string): Promise<KeyInspection> {
    const full = this.fullKey(key);
    try {
      const slash = key.lastIndexOf('/');
      if (slash > 0 && !this.fresh(full)) await this.indexDirectory(this.fullKey(key.slice(0, slash + 1)));
      const { kv } = await this.knownVersions(full, LISTING_FRESH_MS);
      const laterMarkers: LaterVersion[] = kv.deleteMarkers.map((versionId) => ({ versionId, deleteMarker: true }));
      const oldest = owningVersion(kv);
      if (!oldest) return { bytes: null, laterVersions: laterMarkers };
      const { out, bytes } = await this.getVersion(full, oldest.versionId);
      const retention = await this.retentionOf(full, oldest.versionId, out);
      // Later data versions in the order they were written (oldest first).
      const later = kv.versions.slice(0, -1).reverse();
      const laterVersions: LaterVersion[] = await Promise.all(
        later.map(async (v): Promise<LaterVersion> => {
          if (v.size !== undefined && v.size > LATER_VERSION_READ_LIMIT) {
            return { versionId: v.versionId, deleteMarker: false };
          }
          return { versionId: v.versionId, deleteMarker: false, bytes: await this.getVersionBytes(full, v.versionId) };
        }),
      );
      return { bytes, laterVersions: [...laterVersions, ...laterMarkers], retention };
    } catch (e) {
      throw s3Error(e, `inspecting ${full}`, this.where(key));
    }
  }

  /**
   * Retention of one version. GetObject carries it in headers when the caller
   * may read retention; otherwise ask GetObjectRetention, where "no
   * retention" is an answer (mode null), not an error.
   */
  private async retentionOf(full: string, versionId: string, out: GetObjectCommandOutput): Promise<Retention> {
    const createdAt = out.LastModified ?? null;
    if (out.ObjectLockMode) {
      return {
        mode: out.ObjectLockMode === 'COMPLIANCE' || out.ObjectLockMode === 'GOVERNANCE' ? out.ObjectLockMode : null,
        retainUntil: out.ObjectLockRetainUntilDate ?? null,
        createdAt,
      };
    }
    try {
      const r = await this.client.send(
        new GetObjectRetentionCommand({ Bucket: this.config.bucket, Key: full, VersionId: versionId }),
      );
      const mode = r.Retention?.Mode;
      return {
        mode: mode === 'COMPLIANCE' || mode === 'GOVERNANCE' ? mode : null,
        retainUntil: r.Retention?.RetainUntilDate ?? null,
        createdAt,
      };
    } catch (e) {
      const status = statusOf(e);
      if (nameOf(e) === 'NoSuchObjectLockConfiguration' || status === 404 || status === 400) {
        return { mode: null, retainUntil: null, createdAt };
      }
      throw e;
    }
  }
}
