/**
 * The audit log's library API, used by the CLI, the Action and the App.
 * Every record is one immutable object in a hash chain; signed checkpoints
 * pin the chain's length and head (docs/design.md §4).
 */
export { openStore, type OpenStoreOptions } from './open-store.js';
export { appendRecord, readHead, type AppendOptions, type AppendResult } from './append.js';
export { appendAndCheckpoint, signingKeyFromEnv, type AppendCheckpointOptions, type AppendCheckpointResult } from './append-checkpoint.js';
export { verifyLog, compareStores, type VerifyLogOptions, type VerifyLogResult, type StoreSummary, type VerifyNotesOptions, type NoteSummary } from './verify-log.js';
export {
  statusOf,
  verifyChain,
  type ChainObservation,
  type ChainReport,
  type EntryObservation,
  type ExternalAnchor,
  type VerifyStatus,
} from './chain-verify.js';
export { readChain, type ReadChainOptions } from './read-chain.js';
export { writeCheckpoint, type CheckpointResult, type WriteCheckpointOptions } from './checkpoint-write.js';
export {
  checkCheckpoint,
  generateCheckpointKeyPair,
  loadSigningKey,
  loadVerifyKey,
  signCheckpoint,
  trustedCheckpointAnchor,
  CHECKPOINT_KEY_ENV,
  CHECKPOINT_TYP,
  type CheckedCheckpoint,
  type CheckpointAlg,
  type CheckpointPayload,
  type SigningKey,
  type VerifyKey,
} from './checkpoint.js';
export {
  DEFAULT_LOG_NAME,
  MAX_RECORD_BYTES,
  MAX_RECORD_DEPTH,
  RECORD_VERSION,
  checkLogName,
  encodeRecord,
  parseRecord,
  recordDigest,
  type AuditRecord,
  type JsonObject,
  type JsonValue,
  type ParsedRecord,
  type RecordInput,
} from './record.js';
export { parseDetailsJson } from './details-json.js';
export { sortFindings, type Finding, type FindingKind, type Superseded } from './findings.js';
export { DEFAULT_RETRY, isRetryable, type RetryPolicy } from './retry.js';
export { FileStore } from './stores/file-store.js';
export * from './store.js';
export { modelReleaseRecord, releaseContextFromEnv, releaseLineageOf, MODEL_RELEASE, type ReleaseContext, type ReleaseLineage, type ReleasedMetadata } from './release-record.js';
export {
  approvalVerifiedRecord,
  gateVerdictRecord,
  APPROVAL_VERIFIED,
  GATE_VERDICT,
  type FilledRole,
  type GateSubject,
  type VerifiedApproval,
} from './gate-records.js';
export {
  changeRequestRecord,
  deploymentDecisionRecord,
  CHANGE_REQUEST,
  DEPLOYMENT_DECISION,
  type ChangeRef,
  type ChangeRequestDetails,
  type DeploymentDecisionDetails,
  type DeploymentDecisionState,
  type ReleaseSubject,
} from './deployment-record.js';
