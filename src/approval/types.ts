/**
 * The contract between the approval evaluator (pure) and whoever gathers the
 * facts (the GitHub App's gatherer, the CLI's `simulate` facts file, tests).
 * The JSON form of PullRequestFacts is the `simulate --facts` file format.
 */
import type { Digest } from '../core/digest.js';
import type { DeploymentPolicy } from './deployment-policy.js';

export interface ChangedFile {
  /** Path after the change. */
  filename: string;
  /** Path before a rename (both sides count as touched). */
  previous_filename?: string;
  status?: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';
}

export interface ReviewFact {
  login: string;
  /** The reviewer's numeric GitHub user id (goes into the statement's approver.id). */
  user_id: number;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';
  /** The commit the review was made on. Only reviews of the head count. */
  commit_id: string;
  body: string;
  submitted_at?: string;
  /** GitHub user type "Bot": never counts. */
  is_bot?: boolean;
}

export interface ArtifactFact {
  path: string;
  digest: Digest;
}

/**
 * What the head commit itself holds at a path the gate judges, read by the
 * gatherer from Git's objects (never from metadata.json): the gate passes only
 * on bytes it hashed itself.
 */
export interface HeadFileFact {
  path: string;
  /**
   * - `blob`: a regular file (mode 100644 or 100755); `digest` is the SHA-256 of its bytes.
   * - `lfs`: a Git LFS pointer; `digest` is its `oid sha256:`, `size` its `size`.
   * - `symlink` (mode 120000) and `submodule` (160000): refused by the gate.
   * - `absent`: not in the head's tree (deleted).
   * - `unreadable`: the gatherer could not read it; `reason` says why. Fails closed.
   */
  kind: 'blob' | 'lfs' | 'symlink' | 'submodule' | 'absent' | 'unreadable';
  digest?: Digest;
  size?: number;
  reason?: string;
}

/** A `Co-authored-by:` trailer of one of the pull request's commits. */
export interface CoAuthorFact {
  name: string;
  email: string;
  /** The GitHub login that email belongs to, when the gatherer could tell (noreply address, or what the API exposes). */
  login?: string;
}

/** A commit of the pull request whose author email links to no GitHub account. */
export interface UnlinkedAuthorFact {
  sha: string;
  name: string;
  email: string;
}

/** Everything the evaluator may know about a pull request. No I/O behind it. */
export interface PullRequestFacts {
  /** "owner/name" */
  repository: string;
  repository_id: number;
  pull_request: number;
  /** Base branch name, shown in the verdict so a retargeted PR cannot reuse it. */
  base_ref?: string;
  base_sha: string;
  head_sha: string;
  /** PR author login. */
  author: string;
  /** Logins of the authors and committers of the PR's commits. */
  commit_authors: string[];
  /** File paths, or objects when renames matter. */
  changed_files: Array<string | ChangedFile>;
  /** Model artifacts and their digests at the head (from metadata.json or LFS pointers). */
  artifacts: ArtifactFact[];
  /** Digest of the head's metadata.json (the lineage file) or null when absent. */
  lineage_digest: Digest | null;
  /** "org/team-slug" → member logins, as of evaluation time. */
  teams: Record<string, string[]>;
  /** The latest review per user (GitHub keeps all; the gatherer keeps the latest). */
  reviews: ReviewFact[];
  /** login → SSH signing public keys registered on GitHub ("ssh-ed25519 AAAA... comment"). */
  signing_keys: Record<string, string[]>;
  /** Content of the allowed-signers files named by the policy, by path, from the base branch. */
  allowed_signers?: Record<string, string>;
  /** Content of the JWKS files named by the policy, by path, from the base branch. */
  jwks?: Record<string, unknown>;
  /**
   * Parsed metadata.json at the head, by the changed model's path (issue: automated checks).
   * The evaluator also accepts the metadata.json's own path as the key
   * (`models/fraud/metadata.json`), which is what a gatherer reads anyway.
   */
  metadata?: Record<string, unknown>;
  /** Git LFS pointer oids at the head, by path ("sha256:<hex>"). */
  lfs_oids?: Record<string, Digest>;
  /**
   * login → numeric GitHub user id, for people who have not reviewed yet
   * (`approval statement` needs the id; reviews carry it otherwise).
   */
  user_ids?: Record<string, number>;
  /**
   * Every changed protected file and every artifact path the lineage names,
   * as the head commit holds it (see {@link HeadFileFact}). `artifacts` are
   * the digests computed here, never metadata.json's claims.
   */
  head_files?: HeadFileFact[];
  /** `Co-authored-by:` trailers of the pull request's commits: a co-author may not approve. */
  co_authors?: CoAuthorFact[];
  /** Commits whose author email links to no GitHub account (a policy can refuse them). */
  unlinked_commit_authors?: UnlinkedAuthorFact[];
  /**
   * For a release PR opened by the Action on someone's behalf (authored by a
   * bot): the login of the person who triggered the release workflow, who
   * counts as the author.
   */
  release_actor?: string;
}

// ---------------------------------------------------------------------------
// Policy (the normalised form of `.github/model-release-gate.yml`).
// Both the single-rule shorthand and the `rules:` list parse to this shape.
// ---------------------------------------------------------------------------

/** Where a path of the repository may live: the policy file always protects itself. */
export const POLICY_PATH = '.github/model-release-gate.yml';

/** The SSHSIG namespace approvals are signed in (`ssh-keygen -Y sign -n ...`). */
export const APPROVAL_NAMESPACE = 'model-release-gate@v1';

/** A source of approvers' public keys, as written in `signatures.keys`. */
export type KeySource =
  | { kind: 'github' }
  | { kind: 'allowed-signers'; path: string }
  | { kind: 'jwks'; path: string };

export interface RolePolicy {
  name: string;
  /** "org/team-slug" */
  teams: string[];
  users: string[];
  /** How many distinct people this role needs (>= 1). */
  count: number;
}

export interface SignaturePolicy {
  required: boolean;
  keys: KeySource[];
}

export type MetricOperator = '>=' | '>' | '<=' | '<' | '==';

export interface MetricThreshold {
  /** Name in metadata.json's `metrics` (a dotted path is looked up nested when no key has that exact name). */
  metric: string;
  op: MetricOperator;
  value: number;
  /** As written in the policy, e.g. "accuracy >= 0.9". */
  text: string;
}

/** Automated pre-approval checks of one rule (all off when absent). */
export interface ChecksPolicy {
  /** Globs naming the model files among the changed files. */
  models: string[];
  /** metadata.json beside every changed model, valid against the lineage schema. */
  metadata: boolean;
  /** Dataset roles that metadata.json must list (training, validation, test). */
  datasets: string[];
  /** metadata.json's model digest must equal the Git LFS pointer's oid where the model is in LFS. */
  lfs_digest: boolean;
  metrics: MetricThreshold[];
}

export interface RulePolicy {
  name: string;
  /** Globs (picomatch, dot files included); the policy file is always added. */
  protected_paths: string[];
  /**
   * Files the policy itself names (allowed-signers files, JWKS, the
   * checkpoint key), protected by every rule like the policy file: who may
   * approve is decided by them.
   */
  protected_files: string[];
  roles: RolePolicy[];
  /** Distinct approvers needed in total (default: the sum of the roles' counts). */
  minimum_approvers: number;
  signatures: SignaturePolicy;
  changes_requested_veto: boolean;
  checks: ChecksPolicy;
}

export interface AuditPolicy {
  /** Audit store URLs (`s3://bucket/prefix?...` or `file://path`). */
  stores: string[];
}

export interface Policy {
  version: 1;
  rules: RulePolicy[];
  /** Commit authors, committers and co-authors of the PR may approve (default false: they may not). */
  allow_commit_authors: boolean;
  /** A release whose commits include one whose author email links to no GitHub account fails (default false: it is shown). */
  require_linked_authors: boolean;
  audit?: AuditPolicy;
  /** The deployment protection rule's settings (deployment-policy.ts). */
  deployment?: DeploymentPolicy;
  /** Where the policy was read from, for messages. */
  source: string;
}

// ---------------------------------------------------------------------------
// Approval statement (docs/design.md §4): what an approver signs.
// ---------------------------------------------------------------------------

export interface ApprovalStatement {
  v: 1;
  type: 'model-release-approval';
  repository: string;
  repository_id: number;
  pull_request: number;
  base_sha: string;
  head_sha: string;
  /** Sorted by path (byte order). */
  artifacts: ArtifactFact[];
  lineage_digest: Digest | null;
  approver: { login: string; id: number };
  /** When present the approval can fill only this role. */
  role?: string;
  decision: 'approve';
}

// ---------------------------------------------------------------------------
// Verdict: what evaluate() returns.
// ---------------------------------------------------------------------------

export interface SlotFill {
  login: string;
  /** `SHA256:...` (SSH) or `jwk-thumbprint:...` (JWS) of the key that signed. */
  key_fingerprint?: string;
  signature: 'valid' | 'not-required';
}

export interface RoleVerdict {
  role: string;
  required: number;
  filled_by: SlotFill[];
}

export interface CheckVerdict {
  name: string;
  passed: boolean;
  value?: unknown;
  reason: string;
}

export interface RuleVerdict {
  name: string;
  /** Whether the PR touches this rule's protected paths. */
  applies: boolean;
  passed: boolean;
  /** Up to a few touched protected paths, as evidence. */
  touched: string[];
  roles: RoleVerdict[];
  /** What is still needed, one human sentence each. */
  missing: string[];
  checks: CheckVerdict[];
  minimum_approvers: number;
  /** Distinct people whose approvals counted for this rule (one per signing key). */
  approvers: string[];
  reasons: string[];
  /** What a reader must know that did not decide the rule (e.g. a key that signed for two logins). */
  notes?: string[];
}

export interface ApprovalVerdict {
  login: string;
  state: ReviewFact['state'];
  commit_id: string;
  /** Counted toward at least one applicable rule. */
  counted: boolean;
  reason: string;
  key_fingerprint?: string;
  /**
   * The statement (canonical JSON, as signed) the counted signature verified
   * over: what the audit record keeps, so an auditor can re-verify the
   * signature from the record alone.
   */
  statement?: string;
}

export interface Verdict {
  passed: boolean;
  /** Whether the PR is a model release (touches a protected path). */
  release: boolean;
  base_ref?: string;
  head_sha: string;
  rules: RuleVerdict[];
  /** Every rule's roles, flattened (`rule` names the rule). */
  roles: Array<RoleVerdict & { rule: string }>;
  approvals: ApprovalVerdict[];
  reasons: string[];
  /**
   * What the verdict rests on that a reader must know but that did not
   * decide it (digests taken as given, commit authors linked to no account,
   * a key shared between accounts).
   */
  notes?: string[];
}
