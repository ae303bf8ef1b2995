/**
 * The contract between the approval evaluator (pure) and whoever gathers the
 * facts (the GitHub App's gatherer, the CLI's `simulate` facts file, tests).
 * The JSON form of PullRequestFacts is the `simulate --facts` file format.
 */
import type { Digest } from '../core/digest.js';

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
  /** Parsed metadata.json at the head, by the changed model's path (issue: automated checks). */
  metadata?: Record<string, unknown>;
  /** Git LFS pointer oids at the head, by path ("sha256:<hex>"). */
  lfs_oids?: Record<string, Digest>;
}
