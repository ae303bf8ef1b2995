/**
 * Lineage: what a released model was (its bytes), what trained and validated
 * it (datasets' digests and fingerprints), and how to check that years later.
 * The Action front and the CLI call only what is exported here.
 */
export { hashPath, type HashOptions, type PathDigest } from './hash-path.js';
export { recordLineage, type RecordOptions, type RecordResult } from './record.js';
export { verifyLineage, type VerifyOptions } from './verify.js';
export { compareLineage, compareManifests, type Mismatch, type ObservedArtifact, type VerifyResult } from './verify-compare.js';
export { diffLineage, type LineageChange, type LineageDiff } from './diff.js';
export { readMetadataFile } from './metadata-io.js';
export { validateMetadata } from './metadata-validate.js';
export { metadataJsonSchema } from './metadata-schema.js';
export { reproducibilityDigest, reproducibilityInput } from './reproducibility.js';
export { lineageStatement, type LineageStatement } from './statement.js';
export { parseDatasetSpec, defaultDatasetName, type DatasetInput } from './dataset-spec.js';
export { githubActionsSource, composeSource, type SourceOverrides } from './source.js';
export { readGitCheckout, type GitCheckout } from './git.js';
export { collectEnvironment, type EnvironmentOptions } from './environment.js';
export * from './metadata-types.js';
export {
  dirHash1,
  dirHash1Lines,
  sortManifest,
  compareBytewise,
  type ManifestEntry,
  type ColumnInfo,
} from '../core/dir-hash.js';
