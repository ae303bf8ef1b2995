/**
 * Lineage: what a released model was (its bytes), what trained and validated
 * it (datasets' digests and fingerprints), and how to check that years later.
 */
export { hashPath, type HashOptions, type PathDigest } from './hash-path.js';
export { dirHash1, dirHash1Lines, sortManifest, compareBytewise, type ManifestEntry, type ColumnInfo } from '../core/dir-hash.js';
