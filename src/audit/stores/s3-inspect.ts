/**
 * What the verifier asks of one S3 key: the owning bytes, every later
 * version (with its bytes when small enough) and delete marker, and the
 * owning version's Object Lock retention.
 */
import { GetObjectRetentionCommand, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import type { KeyInspection, LaterVersion, Retention } from '../store.js';
import { nameOf, s3Error, statusOf } from './s3-errors.js';
import type { S3Listing } from './s3-listing.js';
import { LISTING_FRESH_MS, type S3Objects } from './s3-objects.js';
import { owningVersion } from './s3-versions.js';

/** Later versions bigger than this are reported without their bytes (a rogue upload may be huge). */
const LATER_VERSION_READ_LIMIT = 1024 * 1024;

export class S3Inspect {
  constructor(
    private readonly o: S3Objects,
    private readonly listing: S3Listing,
  ) {}

  /**
   * The owning bytes, every later version (with its bytes when small enough)
   * and delete marker, and the owning version's Object Lock retention. Uses
   * the directory's last listing when it is recent (a verifier lists first),
   * so a verify costs about one GET per record.
   */
  async inspect(key: string): Promise<KeyInspection> {
    const full = this.o.fullKey(key);
    try {
      const slash = key.lastIndexOf('/');
      if (slash > 0 && !this.o.fresh(full)) await this.listing.indexDirectory(this.o.fullKey(key.slice(0, slash + 1)));
      const { kv } = await this.o.knownVersions(full, LISTING_FRESH_MS);
      const laterMarkers: LaterVersion[] = kv.deleteMarkers.map((versionId) => ({ versionId, deleteMarker: true }));
      const oldest = owningVersion(kv);
      if (!oldest) return { bytes: null, laterVersions: laterMarkers };
      const { out, bytes } = await this.o.getVersion(full, oldest.versionId);
      const retention = await this.retentionOf(full, oldest.versionId, out);
      // Later data versions in the order they were written (oldest first).
      const later = kv.versions.slice(0, -1).reverse();
      const laterVersions: LaterVersion[] = await Promise.all(
        later.map(async (v): Promise<LaterVersion> => {
          if (v.size !== undefined && v.size > LATER_VERSION_READ_LIMIT) {
            return { versionId: v.versionId, deleteMarker: false };
          }
          return { versionId: v.versionId, deleteMarker: false, bytes: await this.o.getVersionBytes(full, v.versionId) };
        }),
      );
      return { bytes, laterVersions: [...laterVersions, ...laterMarkers], retention };
    } catch (e) {
      throw s3Error(e, `inspecting ${full}`, this.o.where(key));
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
      const r = await this.o.client.send(
        new GetObjectRetentionCommand({ Bucket: this.o.config.bucket, Key: full, VersionId: versionId }),
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
