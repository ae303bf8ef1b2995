/**
 * From the policy (read on the base branch) and the changed files to the
 * facts worth fetching: the gatherer asks GitHub for nothing a verdict
 * cannot depend on (no keys when signatures are not required, no reviews
 * when the pull request is not a release).
 */
import { protectedMatcher } from './evaluate.js';
import type { ChangedFile, Policy, RulePolicy } from './types.js';
import type { FactNeeds } from './pull-request-source.js';

/**
 * The rules whose protected paths (plus the policy file itself) the change
 * touches, with the evaluator's own matcher so the two never disagree.
 */
export function applicableRules(policy: Policy, changed: ChangedFile[]): RulePolicy[] {
  const paths = changed.flatMap((c) => (c.previous_filename ? [c.filename, c.previous_filename] : [c.filename]));
  return policy.rules.filter((rule) => {
    const isProtected = protectedMatcher(rule);
    return paths.some((p) => isProtected(p));
  });
}

/** The changed paths (both sides of a rename) that any of `rules` protects, sorted. */
export function protectedChanges(rules: RulePolicy[], changed: ChangedFile[]): string[] {
  const matchers = rules.map(protectedMatcher);
  const paths = changed.flatMap((c) => (c.previous_filename ? [c.filename, c.previous_filename] : [c.filename]));
  return [...new Set(paths.filter((p) => matchers.some((m) => m(p))))].sort();
}

/** What to fetch for this policy and change. */
export function factNeeds(policy: Policy, changed: ChangedFile[]): FactNeeds {
  const rules = applicableRules(policy, changed);
  const signing = rules.filter((r) => r.signatures.required);
  const keys = signing.flatMap((r) => r.signatures.keys);
  const paths = (kind: 'allowed-signers' | 'jwks') => [
    ...new Set(keys.flatMap((k) => (k.kind === kind ? [k.path] : []))),
  ];
  return {
    release: rules.length > 0,
    teams: [...new Set(rules.flatMap((r) => r.roles.flatMap((role) => role.teams)))],
    githubKeys: keys.some((k) => k.kind === 'github'),
    allowedSigners: paths('allowed-signers'),
    jwks: paths('jwks'),
    commitAuthors: rules.length > 0 && !policy.allow_commit_authors,
    // The statement binds artifacts and lineage, and the automated checks read metadata.json.
    artifacts: rules.some(
      (r) =>
        r.signatures.required ||
        r.checks.metadata ||
        r.checks.datasets.length > 0 ||
        r.checks.lfs_digest ||
        r.checks.metrics.length > 0,
    ),
    lfs: rules.some((r) => r.checks.lfs_digest),
    modelGlobs: [...new Set(rules.flatMap((r) => r.checks.models))],
    protectedPaths: protectedChanges(rules, changed),
  };
}
