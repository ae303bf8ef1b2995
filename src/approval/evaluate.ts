/**
 * The four-eyes gate's one decision: `evaluate(policy, facts) → Verdict`.
 * Pure: no I/O, no clock, no randomness; signature checks are CPU only.
 */
import type { Policy, PullRequestFacts, Verdict } from './types.js';

/** Evaluates the policy against the pull request's facts. */
export async function evaluate(policy: Policy, facts: PullRequestFacts): Promise<Verdict> {
  void policy;
  return failClosed(facts, ['the evaluator is not implemented yet']);
}

/** A failing verdict with reasons, for when the gate cannot decide (bad policy, missing facts). */
export function failClosed(facts: Partial<PullRequestFacts>, reasons: string[]): Verdict {
  return {
    passed: false,
    release: true,
    base_ref: facts.base_ref,
    head_sha: facts.head_sha ?? '',
    rules: [],
    roles: [],
    approvals: [],
    reasons,
  };
}
