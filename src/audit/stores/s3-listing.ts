/**
 * Listing the S3 store's directories: the keys that hold a record, found even
 * when a delete marker hides them (ListObjectsV2 for the visible ones, version
 * listings after the last and at every gap in the sequence numbers), the keys
 * with versions after their owning one (for the verifier), and one shared
 * version listing per directory for `inspect`.
 */
import { entryKey, seqOfEntryKey, type StoreDir } from '../store.js';
import { s3Error } from './s3-errors.js';
import { LISTING_FRESH_MS, type S3Objects } from './s3-objects.js';
import { listLatestKeys, listVersions, type KeyVersions } from './s3-versions.js';

/** Past this many gaps in the entry numbers, list every version instead of probing each gap. */
const MAX_GAP_PROBES = 64;

export class S3Listing {
  /** One listing of every version in a directory, shared by concurrent `inspect` calls. */
  private readonly dirIndex = new Map<string, { at: number; done: Promise<void> }>();
  /** Where the last listing of a directory started (set by `listAfter`), so its index starts there too. */
  private readonly indexFloor = new Map<string, string>();
  /** Entry keys (full) known to hold a record, and the highest, from the last `list('entries')`. */
  private knownEntries?: { keys: Set<string>; last?: string };

  constructor(private readonly o: S3Objects) {}

  private get config() {
    return this.o.config;
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
      fullKeys = dir === 'entries' ? await this.listEntries(dirPrefix) : await this.o.listByVersions(dirPrefix);
    } catch (e) {
      throw s3Error(e, `listing ${dirPrefix}`, this.config.displayUrl);
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
    const after = this.o.fullKey(afterKey);
    this.indexFloor.set(dirPrefix, after);
    let fullKeys: string[];
    try {
      fullKeys = dir === 'entries' ? await this.listEntriesAfter(dirPrefix, after) : await this.o.listByVersions(dirPrefix, after);
    } catch (e) {
      throw s3Error(e, `listing ${dirPrefix} after ${afterKey}`, this.config.displayUrl);
    }
    return this.relativeSorted(fullKeys);
  }

  private relativeSorted(fullKeys: string[]): string[] {
    const keys = fullKeys.map((k) => k.slice(this.config.prefix.length));
    return keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  private async listEntriesAfter(dirPrefix: string, after: string): Promise<string[]> {
    const found = new Set(await listLatestKeys(this.o.client, this.config.bucket, dirPrefix, { pageSize: this.o.pageSize, startAfter: after }));
    let last = after;
    for (const k of found) if (k > last) last = k;
    for (const k of await this.o.listByVersions(dirPrefix, last)) found.add(k);
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
      if (!seqs.has(seq)) gaps.push(this.o.fullKey(entryKey(seq)));
    }
    if (gaps.length > MAX_GAP_PROBES) {
      const floor = fromSeq > 0 ? this.o.fullKey(entryKey(fromSeq - 1)) : undefined;
      for (const k of await this.o.listByVersions(dirPrefix, floor)) found.add(k);
      return;
    }
    const at = Date.now();
    await Promise.all(
      gaps.map(async (full) => {
        const kv = await this.o.versionsOf(full);
        this.o.listed.set(full, { kv, at });
        if (kv.versions.length > 0) found.add(full);
      }),
    );
  }

  async keysWithLaterVersions(dir: StoreDir): Promise<string[]> {
    const dirPrefix = `${this.config.prefix}${dir}/`;
    let map: Map<string, KeyVersions>;
    try {
      map = await listVersions(this.o.client, this.config.bucket, dirPrefix, { pageSize: this.o.pageSize });
    } catch (e) {
      throw s3Error(e, `listing the versions of ${dirPrefix}`, this.config.displayUrl);
    }
    const at = Date.now();
    const keys: string[] = [];
    for (const [full, kv] of map) {
      // Cached as `inspect` would list them, so inspecting these keys next costs no second listing.
      this.o.listed.set(full, { kv, at });
      if (kv.versions.length > 0 && (kv.versions.length > 1 || kv.deleteMarkers.length > 0)) keys.push(full);
    }
    return this.relativeSorted(keys);
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
      found = new Set(await listLatestKeys(this.o.client, this.config.bucket, dirPrefix, { pageSize: this.o.pageSize }));
      for (const k of found) if (last === undefined || k > last) last = k;
    }
    // Everything after the last key known: new records, and records whose
    // latest version is a delete marker (ListObjectsV2 does not show those).
    for (const k of await this.o.listByVersions(dirPrefix, last)) found.add(k);
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
  async indexDirectory(dirPrefix: string): Promise<void> {
    const hit = this.dirIndex.get(dirPrefix);
    if (hit && Date.now() - hit.at <= LISTING_FRESH_MS) return hit.done;
    // After listAfter (a verify from a checkpoint), only the versions after its key.
    const done = this.o.listByVersions(dirPrefix, this.indexFloor.get(dirPrefix)).then(() => undefined);
    this.dirIndex.set(dirPrefix, { at: Date.now(), done });
    done.catch(() => this.dirIndex.delete(dirPrefix));
    return done;
  }
}
