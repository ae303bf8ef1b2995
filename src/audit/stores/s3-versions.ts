import { ListObjectVersionsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

/** One data version of a key, as the server listed it. */
export interface VersionInfo {
  versionId: string;
  lastModified?: Date;
  size?: number;
}

/** Every version of one key. */
export interface KeyVersions {
  /** Data versions in the server's listing order: newest first, so the record is the LAST. */
  versions: VersionInfo[];
  /** Delete markers' version ids (never a record; each one is a finding for the verifier). */
  deleteMarkers: string[];
}

/**
 * The owning version of a key: the oldest data version, which S3 lists LAST
 * for that key (versions come newest first). Never decided by LastModified,
 * which has one-second resolution on some servers and can tie.
 */
export function owningVersion(kv: KeyVersions | undefined): VersionInfo | undefined {
  return kv?.versions[kv.versions.length - 1];
}

function emptyVersions(): KeyVersions {
  return { versions: [], deleteMarkers: [] };
}

/**
 * Lists every version and delete marker under a prefix, page by page, grouped
 * by key (the map's order is not meaningful: sort its keys). When `exactKey` is
 * set, only that key is kept and paging stops once the listing has moved past it.
 */
export async function listVersions(
  client: S3Client,
  bucket: string,
  prefix: string,
  options: { exactKey?: string; pageSize?: number; startAfter?: string } = {},
): Promise<Map<string, KeyVersions>> {
  const out = new Map<string, KeyVersions>();
  let keyMarker: string | undefined = options.startAfter;
  let versionIdMarker: string | undefined;
  // Servers differ on whether the key marker itself is listed: skip it here.
  const wanted = (key: string): boolean =>
    (options.exactKey === undefined || key === options.exactKey) &&
    (options.startAfter === undefined || key > options.startAfter);
  for (;;) {
    const page = await client.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        Prefix: prefix,
        KeyMarker: keyMarker,
        VersionIdMarker: versionIdMarker,
        ...(options.pageSize ? { MaxKeys: options.pageSize } : {}),
      }),
    );
    let passedKey = false;
    /** The versions of a wanted key, or undefined (noting when the listing has moved past `exactKey`). */
    const versionsOf = (key: string | undefined, versionId: string | undefined): KeyVersions | undefined => {
      if (key === undefined || versionId === undefined) return undefined;
      if (!wanted(key)) {
        if (options.exactKey !== undefined && key > options.exactKey) passedKey = true;
        return undefined;
      }
      let kv = out.get(key);
      if (!kv) out.set(key, (kv = emptyVersions()));
      return kv;
    };
    // The SDK splits the listing into Versions and DeleteMarkers; each array
    // keeps the server's order (by key, then newest first), which is all the
    // ownership rule needs.
    for (const v of page.Versions ?? []) {
      versionsOf(v.Key, v.VersionId)?.versions.push({ versionId: v.VersionId!, lastModified: v.LastModified, size: v.Size });
    }
    for (const m of page.DeleteMarkers ?? []) versionsOf(m.Key, m.VersionId)?.deleteMarkers.push(m.VersionId!);
    if (!page.IsTruncated || passedKey) break;
    if (page.NextKeyMarker === undefined) break;
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
  }
  return out;
}

/**
 * Keys under a prefix whose latest version is data (ListObjectsV2, paged).
 * Much cheaper than listing versions on Ceph RGW (a few ms per 1,000 keys
 * against hundreds), but blind to keys whose latest version is a delete marker.
 */
export async function listLatestKeys(
  client: S3Client,
  bucket: string,
  prefix: string,
  options: { pageSize?: number; startAfter?: string } = {},
): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  for (;;) {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        ContinuationToken: token,
        ...(options.startAfter !== undefined && token === undefined ? { StartAfter: options.startAfter } : {}),
        ...(options.pageSize ? { MaxKeys: options.pageSize } : {}),
      }),
    );
    for (const o of page.Contents ?? []) {
      if (o.Key !== undefined && (options.startAfter === undefined || o.Key > options.startAfter)) keys.push(o.Key);
    }
    if (!page.IsTruncated || !page.NextContinuationToken) break;
    token = page.NextContinuationToken;
  }
  return keys;
}
