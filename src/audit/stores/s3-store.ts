/**
 * The audit store on S3 with Object Lock: one object per record, create-only.
 * This file composes the parts (s3-create.ts: the create protocol and the
 * lock check; s3-listing.ts: directories; s3-inspect.ts: versions and
 * retention for the verifier) over the shared per-key reads (s3-objects.ts),
 * and reads a record's owning bytes.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { AuditStore, CreateResult, KeyInspection, StoreDir } from '../store.js';
import { buildS3Client, tuningFromEnv } from './s3-client.js';
import { S3Create } from './s3-create.js';
import { nameOf, s3Error, statusOf } from './s3-errors.js';
import { S3Inspect } from './s3-inspect.js';
import { S3Listing } from './s3-listing.js';
import { S3Objects } from './s3-objects.js';
import { parseS3Url, type S3StoreConfig } from './s3-url.js';
import { owningVersion } from './s3-versions.js';

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

function isNoSuchVersion(e: unknown): boolean {
  const n = nameOf(e);
  return n === 'NoSuchVersion' || n === 'NoSuchKey' || statusOf(e) === 404;
}

class S3Store implements S3AuditStore {
  readonly displayUrl: string;
  readonly retentionDays: number;
  /**
   * Owning bytes of keys this store wrote or found taken. The owning version
   * of a COMPLIANCE-locked key never changes, so the append protocol's read
   * of the head it just wrote needs no request.
   */
  private readonly owners = new Map<string, Uint8Array>();
  private readonly o: S3Objects;
  private readonly creator: S3Create;
  private readonly listing: S3Listing;
  private readonly inspector: S3Inspect;

  constructor(
    readonly config: S3StoreConfig,
    client: S3Client,
    putClient: S3Client,
    pageSize?: number,
  ) {
    this.displayUrl = config.displayUrl;
    this.retentionDays = config.retentionDays;
    this.o = new S3Objects(config, client, pageSize);
    this.creator = new S3Create(this.o, putClient);
    this.listing = new S3Listing(this.o);
    this.inspector = new S3Inspect(this.o, this.listing);
  }

  private rememberOwner(full: string, bytes: Uint8Array): void {
    this.owners.delete(full);
    this.owners.set(full, bytes);
    if (this.owners.size > OWNER_CACHE_SIZE) this.owners.delete(this.owners.keys().next().value as string);
  }

  checkAppendable(): Promise<void> {
    return this.creator.checkAppendable();
  }

  /** Create-only write (s3-create.ts); remembers who owns the key either way. */
  async create(key: string, bytes: Uint8Array): Promise<CreateResult> {
    const result = await this.creator.create(key, bytes);
    this.rememberOwner(this.o.fullKey(key), result.created ? bytes : result.existing);
    return result;
  }

  /**
   * The record's bytes: the oldest version, read by version id, so neither a
   * delete marker nor a later rogue version can hide or replace it.
   */
  async read(key: string): Promise<Uint8Array | null> {
    const full = this.o.fullKey(key);
    const known = this.owners.get(full);
    if (known) return known;
    try {
      // The oldest version of a COMPLIANCE-locked key never changes, so any
      // listing of it will do; a 404 (a version removed under GOVERNANCE) relists.
      let { kv, cached } = await this.o.knownVersions(full, Infinity);
      for (;;) {
        const oldest = owningVersion(kv);
        if (!oldest) return null;
        try {
          return await this.o.getVersionBytes(full, oldest.versionId);
        } catch (e) {
          if (!cached || !isNoSuchVersion(e)) throw e;
          this.o.listed.delete(full);
          kv = await this.o.versionsOf(full);
          cached = false;
        }
      }
    } catch (e) {
      throw s3Error(e, `reading ${full}`, this.o.where(key));
    }
  }

  list(dir: StoreDir): Promise<string[]> {
    return this.listing.list(dir);
  }

  listAfter(dir: StoreDir, afterKey: string): Promise<string[]> {
    return this.listing.listAfter(dir, afterKey);
  }

  keysWithLaterVersions(dir: StoreDir): Promise<string[]> {
    return this.listing.keysWithLaterVersions(dir);
  }

  inspect(key: string): Promise<KeyInspection> {
    return this.inspector.inspect(key);
  }
}
