/**
 * One pull request judged by the policy on its base branch, as GitHub has
 * both now: read the base branch's tip, the policy there, gather the facts
 * that policy needs, evaluate. Never throws: a missing or invalid policy or
 * an error while gathering is a failing verdict that says why (fail closed).
 */
import { evaluate, failClosed } from './evaluate.js';
import { readBasePolicy } from './base-policy.js';
import { factNeeds } from './fact-needs.js';
import { gatherFacts } from './gather-facts.js';
import { formatProblem, validatePolicy } from './policy-parse.js';
import type { PullInfo, PullRequestSource } from './pull-request-source.js';
import { POLICY_PATH, type Policy, type PullRequestFacts, type Verdict } from './types.js';
import { GateError, messageOf } from '../core/errors.js';

/** One pull request judged by its own base's policy. */
export interface PullEvaluation {
  info: PullInfo;
  /** The commit the policy was read from: the base branch's tip now (null when it could not be read). */
  policy_sha: string | null;
  policy: Policy | null;
  facts: PullRequestFacts | null;
  verdict: Verdict;
}

/** Judges one open pull request by the policy at its base branch's tip (never throws: failures are failing verdicts). */
export async function evaluatePull(source: PullRequestSource, info: PullInfo): Promise<PullEvaluation> {
  let policy: Policy | null = null;
  let facts: PullRequestFacts | null = null;
  let verdict: Verdict;
  let policySha: string | null = null;
  try {
    // The file list does not depend on the policy: fetch both at once (one
    // round trip less on every evaluation; wasted only when the policy is bad).
    const changedFiles = source.changedFiles();
    changedFiles.catch(() => undefined); // awaited below; a failure there is reported there
    // The head's tree is needed for any release (modes and blob ids of the
    // protected files): list it beside the policy read, one round trip less
    // on the critical path (one request spent on a pull request that turns
    // out not to be a release).
    source.treeEntry(info.head_sha, POLICY_PATH).catch(() => undefined);
    const base = await readBasePolicy(source, info);
    policySha = base.sha;
    const text = base.text;
    if (text === null) {
      throw new GateError('E_CONFIG', `no ${POLICY_PATH} on the base branch ${info.base_ref}`, {
        where: `${info.repository}@${policySha.slice(0, 12)}`,
        hint: `add ${POLICY_PATH} to the base branch (docs/app.md shows one); the gate fails closed without it`,
      });
    }
    const parsed = validatePolicy(text, POLICY_PATH);
    if (!parsed.policy) {
      verdict = failClosed(partialFacts(info), [`the policy on the base branch is not valid:\n${parsed.problems.map(formatProblem).join('\n')}`]);
    } else {
      policy = parsed.policy;
      facts = await gatherFacts(source, factNeeds(policy, await changedFiles), { policySha });
      verdict = await evaluate(policy, facts);
    }
  } catch (e) {
    verdict = failClosed(partialFacts(info), [`the gate could not gather what it needs: ${messageOf(e)}`]);
  }
  return { info, policy_sha: policySha, policy, facts, verdict };
}

/** What a verdict can say about a pull request whose facts could not be gathered. */
export function partialFacts(info: PullInfo): Partial<PullRequestFacts> {
  return { base_ref: info.base_ref, base_sha: info.base_sha, head_sha: info.head_sha };
}
