/**
 * Whether a bucket's Object Lock configuration keeps audit records as long as
 * the store must (docs/design.md §4, retention). Pure: the S3 adapter fetches the
 * configuration, this decides.
 */

/** What GetObjectLockConfiguration told us (absent parts are undefined). */
export interface BucketLockState {
  /** `ObjectLockEnabled === 'Enabled'`. */
  enabled: boolean;
  /** The default retention rule's mode, if there is a rule. */
  mode?: string;
  days?: number;
  years?: number;
}

export interface LockRequirement {
  retentionDays: number;
  allowGovernance: boolean;
}

/**
 * A default retention in days. A year counts 365.25 days, so that "7 years"
 * meets the 2,557-day default (seven calendar years span 2,556 or 2,557 days).
 */
export function defaultRetentionDays(state: BucketLockState): number | undefined {
  if (state.days !== undefined) return state.days;
  if (state.years !== undefined) return Math.ceil(state.years * 365.25);
  return undefined;
}

/**
 * What is wrong with the bucket's Object Lock for an audit log, as sentences
 * that each say what to change; empty when the bucket complies.
 */
export function lockProblems(state: BucketLockState, req: LockRequirement): string[] {
  const want = `a default retention of mode COMPLIANCE for at least ${req.retentionDays} days`;
  if (!state.enabled) {
    return [
      `Object Lock is not enabled on the bucket, so records could be deleted or overwritten; use a bucket created with Object Lock and ${want} (model-gate audit init creates one)`,
    ];
  }
  const problems: string[] = [];
  if (state.mode === undefined) {
    problems.push(
      `the bucket has Object Lock but no default retention, so records would be written unprotected; set ${want} (s3api put-object-lock-configuration)`,
    );
    return problems;
  }
  if (state.mode !== 'COMPLIANCE' && !(state.mode === 'GOVERNANCE' && req.allowGovernance)) {
    problems.push(
      state.mode === 'GOVERNANCE'
        ? `the default retention mode is GOVERNANCE, which a privileged user can bypass to delete records; change it to COMPLIANCE, or add allow_governance=true to the store URL to accept it`
        : `the default retention mode is ${state.mode}; change it to COMPLIANCE`,
    );
  }
  const days = defaultRetentionDays(state);
  if (days === undefined || days < req.retentionDays) {
    problems.push(
      `the default retention is ${days === undefined ? 'not set' : `${days} days`}, shorter than the ${req.retentionDays} days required; raise the bucket's default retention to at least ${req.retentionDays} days, or lower retention_days in the store URL if your rules allow it`,
    );
  }
  return problems;
}
