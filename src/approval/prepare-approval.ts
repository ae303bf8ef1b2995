/**
 * The approver's side of the gate (`model-gate approve`): the statement a
 * person signs for a pull request, built from the same facts gatherer the App
 * uses, so both compute the same bytes.
 */
import { GateError } from '../core/errors.js';
import { readBasePolicy } from './base-policy.js';
import { applicableRules, factNeeds } from './fact-needs.js';
import { gatherFacts } from './gather-facts.js';
import { formatProblem, validatePolicy } from './policy-parse.js';
import type { PullRequestSource } from './pull-request-source.js';
import { buildStatement, statementBytes } from './statement.js';
import { POLICY_PATH, type ApprovalStatement } from './types.js';

export interface PreparedApproval {
  statement: ApprovalStatement;
  bytes: Buffer;
  head_sha: string;
  login: string;
}

/** Builds the statement `me` would sign for the source's pull request (bound to `role` when given). */
export async function prepareApproval(source: PullRequestSource, me: { login: string; id: number }, role?: string): Promise<PreparedApproval> {
  const info = await source.pull();
  // Where the App reads it (base-policy.ts): a statement built under an older policy is one the gate never counts.
  const { sha: policySha, text } = await readBasePolicy(source, info);
  if (text === null) {
    throw new GateError('E_CONFIG', `no ${POLICY_PATH} on ${info.base_ref}: this repository has no release gate`, {
      where: `${info.repository}@${policySha.slice(0, 12)}`,
    });
  }
  const { policy, problems } = validatePolicy(text, POLICY_PATH);
  if (!policy) {
    throw new GateError('E_POLICY_INVALID', `the policy on ${info.base_ref} is not valid:\n${problems.map(formatProblem).join('\n')}`);
  }
  const changed = await source.changedFiles();
  const rules = applicableRules(policy, changed);
  if (role !== undefined) {
    const roles = [...new Set(rules.flatMap((r) => r.roles.map((x) => x.name)))];
    if (!roles.includes(role)) {
      throw new GateError('E_USAGE', `--role ${role} is not a role of the rules this pull request touches`, {
        hint: roles.length ? `use one of: ${roles.join(', ')}` : 'this pull request needs no approval',
      });
    }
  }
  // Exactly what the App gathers for the statement (artifacts, lineage), nothing about other people.
  const needs = { ...factNeeds(policy, changed), teams: [], githubKeys: false, allowedSigners: [], jwks: [], commitAuthors: false };
  const facts = await gatherFacts(source, needs, { policySha });
  const statement = buildStatement(facts, me, role);
  return { statement, bytes: statementBytes(statement), head_sha: info.head_sha, login: me.login };
}
