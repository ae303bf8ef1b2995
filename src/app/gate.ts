/**
 * The App's side of the gate's pipelines (src/approval/judge-pull-request.ts,
 * judge-merge-group.ts): its dependencies, and the ports of one event built
 * from the installation's client. The pipelines themselves know no Octokit.
 */
import type { PullRequestSource, PullTarget } from '../approval/pull-request-source.js';
import type { GatePorts } from '../approval/gate-ports.js';
import type { RepoSource } from '../approval/repo-source.js';
import type { SigningKey } from '../audit/checkpoint.js';
import type { AuditStore } from '../audit/store.js';
import { NO_AUDIT_CONFIG, type AppAuditConfig } from '../audit/store-choice.js';
import type { AppendStreamer } from '../audit/stream/after-append.js';
import { githubGateCheckRuns } from '../github/gate-check-runs.js';
import { githubRepoSource } from '../github/repo-source.js';
import type { GitHubRequester } from '../github/requester.js';

export interface GateDeps {
  /** A facts source for this event (its cache lives as long as the event). */
  sourceFor(octokit: GitHubRequester, target: PullTarget): PullRequestSource;
  /** The repository-level source (defaults to the GitHub-backed one). */
  repoSourceFor?(octokit: GitHubRequester, owner: string, repo: string, log: string[]): RepoSource;
  /** Opens an audit store (`file://...`, `s3://...`). */
  openAuditStore(url: string): Promise<AuditStore>;
  /** Where the App's audit records go (item 6 of issue 10); none: the default branch's policy decides. */
  audit?: AppAuditConfig;
  /** The checkpoint signing key (MODEL_GATE_CHECKPOINT_KEY): a checkpoint is signed after each append. */
  checkpointKey?: () => Promise<SigningKey>;
  /** Publishes the log to Kafka after each append (MODEL_GATE_KAFKA_*); bounded, never fails the append. */
  auditStream?: AppendStreamer;
  clock(): Date;
}

/** The ports of one event in `owner/repo`, over the installation's client. */
export function gatePorts(octokit: GitHubRequester, owner: string, repo: string, deps: GateDeps): GatePorts {
  return {
    owner,
    repo,
    pull: (pull_number) => deps.sourceFor(octokit, { owner, repo, pull_number }),
    repository: (log) => (deps.repoSourceFor ?? githubRepoSource)(octokit, owner, repo, log),
    checks: githubGateCheckRuns(octokit, owner, repo, deps.clock),
    audit: { config: deps.audit ?? NO_AUDIT_CONFIG, open: deps.openAuditStore, checkpointKey: deps.checkpointKey, stream: deps.auditStream },
    clock: deps.clock,
  };
}
