/**
 * What every part of the S3 store (create, listing, inspect) shares: the
 * bucket's config and clients, one key's versions listed now or from a
 * recent listing that covered it, and one version's bytes by version id.
 * Reading by version id is the point: neither a delete marker nor a later
 * rogue version can hide or replace a record's owning (oldest) version.
 */
import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import type { S3StoreConfig } from './s3-url.js';
import { listVersions, type KeyVersions } from './s3-versions.js';

/** How long a directory listing may stand in for a fresh one in `inspect` (ms). */
export const LISTING_FRESH_MS = 5 * 60 * 1000;

/** One bucket and prefix, and the versions the store has seen listed there. */
export class S3Objects {
  /** Versions per full key, from the last version listing that covered it. */
  readonly listed = new Map<string, { kv: KeyVersions; at: number }>();

  constructor(
    readonly config: S3StoreConfig,
    readonly client: S3Client,
    readonly pageSize?: number,
  ) {}

  fullKey(key: string): string {
    return `${this.config.prefix}${key}`;
  }

  /** The store (and key) named in errors. */
  where(key?: string): string {
    return key === undefined ? this.config.displayUrl : `${this.config.displayUrl} (key ${this.fullKey(key)})`;
  }

  /** Every version of one key, listed now. */
  async versionsOf(full: string): Promise<KeyVersions> {
    const map = await listVersions(this.client, this.config.bucket, full, { exactKey: full, pageSize: this.pageSize });
    return map.get(full) ?? { versions: [], deleteMarkers: [] };
  }

  async getVersion(full: string, versionId: string): Promise<{ out: GetObjectCommandOutput; bytes: Uint8Array }> {
    const out = await this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: full, VersionId: versionId }));
    const bytes = out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
    return { out, bytes };
  }

  async getVersionBytes(full: string, versionId: string): Promise<Uint8Array> {
    return (await this.getVersion(full, versionId)).bytes;
  }

  /** Whether a version listing of the key is recent enough for `inspect`. */
  fresh(full: string): boolean {
    const hit = this.listed.get(full);
    return hit !== undefined && Date.now() - hit.at <= LISTING_FRESH_MS;
  }

  /**
   * The versions of a key: from the last listing that covered it when that
   * is recent enough (`maxAgeMs`), else listed now.
   */
  async knownVersions(full: string, maxAgeMs: number): Promise<{ kv: KeyVersions; cached: boolean }> {
    const hit = this.listed.get(full);
    // A key without data versions may have gained one since; only a recent listing vouches for that.
    if (hit && Date.now() - hit.at <= maxAgeMs && (hit.kv.versions.length > 0 || maxAgeMs !== Infinity)) {
      return { kv: hit.kv, cached: true };
    }
    return { kv: await this.versionsOf(full), cached: false };
  }

  /** Keys with a data version, from a listing of every version under `dirPrefix` (caching what it learns). */
  async listByVersions(dirPrefix: string, startAfter?: string): Promise<string[]> {
    const map = await listVersions(this.client, this.config.bucket, dirPrefix, { pageSize: this.pageSize, startAfter });
    const at = Date.now();
    const keys: string[] = [];
    for (const [full, kv] of map) {
      this.listed.set(full, { kv, at });
      if (kv.versions.length > 0) keys.push(full);
    }
    return keys;
  }
}
