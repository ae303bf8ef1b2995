/**
 * Everything the gate's pipelines (judge-pull-request.ts, judge-merge-group.ts)
 * reach outside themselves, as small interfaces: the pull requests and the
 * repository as GitHub has them now, the gate's own check run on a commit,
 * the audit stores and the clock. The App builds them for one event from its
 * installation's client; tests may pass their own.
 */
import type { SigningKey } from '../audit/checkpoint.js';
import type { AuditStore } from '../audit/store.js';
import type { AppAuditConfig } from '../audit/store-choice.js';
import type { AppendStreamer } from '../audit/stream/after-append.js';
import type { CheckRunOutput } from './check-run-text.js';
import type { PullRequestSource } from './pull-request-source.js';
import type { RepoSource } from './repo-source.js';

/**
 * The gate's check run (`model-release-gate`) on a commit of this repository.
 * The previous conclusion is how the gate knows, without any memory of its
 * own, whether a verdict changed.
 */
export interface GateCheckRuns {
  /** Starts an `in_progress` run (the required check is pending while the gate evaluates); `what` is said in its summary. */
  start(head_sha: string, externalId: string, what: string): Promise<number>;
  /** Completes the run `id` (or creates a completed one when `id` is null). */
  complete(head_sha: string, id: number | null, output: CheckRunOutput, externalId: string): Promise<number>;
  /** The conclusion of the latest completed gate run on the commit other than `except`, or null. */
  previousConclusion(head_sha: string, except?: number): Promise<string | null>;
}

/** Where and how the gate's records are written. */
export interface GateAudit {
  /** The App's own store configuration (none: the default branch's policy decides). */
  config: AppAuditConfig;
  /** Opens an audit store (`file://...`, `s3://...`). */
  open(url: string): Promise<AuditStore>;
  /** The checkpoint signing key: a checkpoint is signed after each append. */
  checkpointKey?: () => Promise<SigningKey>;
  /** Publishes the log after each append; bounded, never fails the append. */
  stream?: AppendStreamer;
}

/** The ports of one event in one repository. */
export interface GatePorts {
  owner: string;
  repo: string;
  /** A facts source for one pull request (its cache lives as long as the event). */
  pull(pull_number: number): PullRequestSource;
  /** The repository-level source; `log` collects the requests it makes. */
  repository(log: string[]): RepoSource;
  checks: GateCheckRuns;
  audit: GateAudit;
  clock(): Date;
}
