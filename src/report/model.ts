/**
 * The compliance report as data: what `buildReport` produces and every
 * renderer (HTML, Markdown, JSON) reads. The JSON format IS this model, so
 * field names here are a contract (documented in docs/report.md): add fields,
 * never rename or remove them without bumping REPORT_FORMAT.
 */
import type { AuditRecord, Finding, VerifyLogResult, VerifyStatus } from '../audit/index.js';

/** Version of the report's JSON format. */
export const REPORT_FORMAT = 'model-release-gate/report@v1';

/** One entry of the log as read: its record, or why its bytes are not one. */
export type LogEntry =
  | { seq: number; digest: string; record: AuditRecord }
  | { seq: number; digest: string; record: null; error: string };

/** The newest checkpoint that verified against the given key. */
export interface VerifiedCheckpoint {
  size: number;
  head: string;
  /** The time the checkpoint says it was signed. */
  time: string;
  log: string;
  /** The `kid` in the checkpoint's JWS header, if any. */
  kid: string | null;
}

/** Per store: what its retention must be (S3 Object Lock), or null for stores without retention (file://). */
export interface StoreRetention {
  store: string;
  /** `s3` or `file`. */
  kind: string;
  retention_days: number | null;
}

/** What the report's verification section is built from: `verifyLog`'s result and what the reader learned around it. */
export interface LogVerification extends VerifyLogResult {
  /** Thumbprints (RFC 7638) of the checkpoint public key(s) given, or [] when none was given. */
  checkpoint_keys: string[];
  /** The newest checkpoint whose signature verified (first store), or null. */
  checkpoint: VerifiedCheckpoint | null;
  retention: StoreRetention[];
}

export interface ReportOptions {
  /** Start of the period, inclusive (ISO 8601 UTC), or null for "from the beginning". */
  since?: string | null;
  /** End of the period, exclusive (ISO 8601 UTC), or null for "until now". */
  until?: string | null;
  /** When the report was made; left out of the model when not given (keeps the output reproducible). */
  generatedAt?: string;
  /**
   * metadata.json files the caller has, with the SHA-256 of their bytes. One
   * whose digest equals a release's metadata digest in the log is that
   * release's lineage, so its datasets' rows and files can be shown; others
   * are ignored (the caller says so).
   */
  metadata?: Array<{ file: string; digest: string; doc: unknown }>;
}

export interface ReportDataset {
  name: string;
  role: string | null;
  digest: string | null;
  /** Rows and files when the record carries them (metadata.json has them; MODEL_RELEASE v1 records do not). */
  rows: number | null;
  files: number | null;
}

export interface ReportApproval {
  seq: number;
  time: string;
  login: string;
  user_id: number | null;
  /** `rule/role` the approval filled, or null. */
  role: string | null;
  /** `SHA256:...` (SSH) or `jwk-thumbprint:...` of the key that signed the approval statement. */
  key_fingerprint: string | null;
  /** Digest of the signed approval statement's bytes (the record's first subject). */
  statement_digest: string | null;
  signed: boolean;
  repository: string | null;
  pull_request: number | null;
  head_sha: string | null;
  /** Which of the release's digests the approval names: `model`, `metadata`. */
  matched_by: string[];
}

export interface ReportVerdict {
  seq: number;
  time: string;
  /** `success` or `failure` (the check run conclusion). */
  conclusion: string;
  previous_conclusion: string | null;
  pull_request: number | null;
  head_sha: string | null;
  roles: Array<{ rule: string | null; role: string; required: number | null; filled_by: Array<{ login: string; key_fingerprint: string | null }> }>;
  reasons: string[];
  matched_by: string[];
}

export interface ReportChange {
  seq: number;
  time: string;
  system: string | null;
  number: string | null;
  url: string | null;
  state: string | null;
  approval: string | null;
  created: boolean | null;
  matched_by: string[];
}

export interface ReportDeployment {
  seq: number;
  time: string;
  environment: string | null;
  /** `approved`, `rejected` or `pending`. */
  decision: string;
  reason: string | null;
  actor: string;
  change_number: string | null;
  deployment_id: string | null;
  matched_by: string[];
}

export interface GraphNode {
  id: string;
  /** Column in the layered layout: 0 datasets, 1 training run, 2 model, 3 approvals, 4 deployment. */
  layer: number;
  kind: 'dataset' | 'run' | 'model' | 'approval' | 'change' | 'deployment';
  label: string;
  /** A second line: a short digest, a role, a decision. */
  detail: string;
  /** `ok`, `bad`, `pending` or `none`: colours a node (a refused deployment, a failed verdict). */
  status: 'ok' | 'bad' | 'pending' | 'none';
}

export interface LineageGraph {
  nodes: GraphNode[];
  edges: Array<{ from: string; to: string }>;
}

export interface ReportRelease {
  seq: number;
  time: string;
  /** Digest of the MODEL_RELEASE record's stored bytes. */
  record_digest: string;
  actor: string;
  component: string;
  model: { path: string | null; digest: string };
  metadata: { path: string | null; digest: string } | null;
  reproducibility_digest: string | null;
  datasets: ReportDataset[];
  /** The metadata.json file given with `--metadata` whose digest matched this release's, or null. */
  metadata_file: string | null;
  run: { repository: string | null; commit: string | null; workflow: string | null; run_id: string | null; url: string | null } | null;
  approvals: ReportApproval[];
  verdicts: ReportVerdict[];
  change_requests: ReportChange[];
  deployments: ReportDeployment[];
  /** Distinct approvers with a verified approval, in order of first approval. */
  approvers: Array<{ login: string; roles: string[]; key_fingerprints: string[] }>;
  /** The newest verdict's conclusion, or null when the log has none for this release. */
  gate: string | null;
  /** The newest deployment decision, or null. */
  deployed: string | null;
  graph: LineageGraph;
}

/** Records of a known type in the period that name no release in the log. */
export interface UnlinkedRecord {
  seq: number;
  time: string;
  event_type: string;
  actor: string;
  action: string;
  subject: string[];
}

export type ControlStatus = 'evidence-present' | 'evidence-partial' | 'evidence-absent' | 'evidence-contradicted' | 'not-applicable';

export interface ControlEvidence {
  id: string;
  control: string;
  /** The rules this control is commonly mapped to (not a claim of compliance with them). */
  rules: string[];
  status: ControlStatus;
  /** What the log shows, in sentences starting from the evidence ("The log shows ..."). */
  evidence: string[];
  /** What this evidence does not show. */
  limits: string[];
}

export interface ReportModel {
  format: typeof REPORT_FORMAT;
  generated_at?: string;
  period: { since: string | null; until: string | null };
  log: { name: string | null; size: number; head: string | null; stores: string[] };
  verification: {
    /** No findings. */
    ok: boolean;
    /** `intact` only when there are no findings and every record is anchored by a checkpoint (VerifyStatus). */
    status: VerifyStatus;
    /** Records 0..anchored_size-1 are anchored by a signed checkpoint whose head matches. */
    anchored_size: number;
    anchored_by: string | null;
    /** Always the whole log, whatever the period. */
    scope: 'whole-log';
    size: number;
    head: string | null;
    from: number;
    findings: Finding[];
    superseded: number;
    checkpoint_keys: string[];
    checkpoint: VerifiedCheckpoint | null;
    stores: Array<{ store: string; size: number; head: string | null; anchored_size: number; checkpoints: { valid: number; bad: number; unchecked: number } }>;
  };
  summary: {
    releases: number;
    approvals: number;
    approvers: number;
    deployments: number;
    records_in_period: number;
    records_total: number;
  };
  releases: ReportRelease[];
  controls: ControlEvidence[];
  unlinked: UnlinkedRecord[];
  appendix: {
    /** Event types this report does not interpret, with every such record: listed, never dropped. */
    unknown_event_types: Array<{ event_type: string; records: UnlinkedRecord[] }>;
    /** Entries whose bytes are not a valid record. */
    unreadable: Array<{ seq: number; digest: string; reason: string }>;
  };
  disclaimer: string;
}

/** What every format says about itself. */
export const DISCLAIMER =
  'This report states what the audit log shows. It does not certify compliance with any rule or regulation; ' +
  'whether the controls meet a rule is for the firm and its auditors to judge.';
