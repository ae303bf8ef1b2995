import type { LineageDiff, LineageChange } from '../lineage/diff.js';
import type { LineageMetadata } from '../lineage/metadata-types.js';
import type { Policy } from '../approval/types.js';
import { protectedMatcher } from '../approval/evaluate.js';
import { formatBytes } from './summary.js';

/** Marks the PR body as ours, so a re-run finds and updates it. */
export const RELEASE_PR_MARKER = '<!-- model-release-gate:release-pr -->';

export interface ReleasePrBodyInput {
  repository: string;
  metadata: LineageMetadata;
  metadataPath: string;
  metadataDigest: string;
  /** The lineage currently on the base branch (the deployed model), or null for a first release. */
  deployed: { metadata: LineageMetadata; diff: LineageDiff } | null;
  /** The policy on the base branch; null when it is missing; a string when it could not be read. */
  policy: Policy | null | string;
  /** Paths the release commit changes (decides which policy rules apply). */
  changedPaths: string[];
  /** Link to the workflow run that built the release. */
  runUrl?: string;
}

const code = (s: string): string => `\`${s.replace(/`/g, "'")}\``;
const cell = (s: unknown): string => String(s ?? '').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const MAX_DIFF_ROWS = 60;

/**
 * The body of the release pull request: what is being released (digests),
 * what changed against the deployed model, who must approve, and how to sign.
 * Pure: the caller reads the deployed lineage and the policy.
 */
export function releasePrBody(input: ReleasePrBodyInput): string {
  const m = input.metadata;
  const out: string[] = [
    RELEASE_PR_MARKER,
    `## Model release: ${code(m.model.path)}`,
    '',
    '| artifact | role | digest | size | rows |',
    '| --- | --- | --- | ---: | ---: |',
    `| ${code(m.model.path)} | model | ${code(m.model.digest)} | ${formatBytes(m.model.size)} | |`,
    ...m.datasets.map(
      (d) => `| ${code(d.path)} | ${d.role} | ${code(d.digest)} | ${formatBytes(d.size)} | ${cell(d.rows)} |`,
    ),
    '',
    `- lineage: ${code(input.metadataPath)} ${code(input.metadataDigest)}`,
    `- reproducibility digest: ${code(m.reproducibility_digest)}`,
  ];
  if (m.source.commit) out.push(`- built from ${code(m.source.commit)}${input.runUrl ? ` in [this run](${input.runUrl})` : ''}`);
  out.push('', '### Changes against the deployed model', '');
  if (!input.deployed) {
    out.push('No lineage on the base branch: this is the first release of this model.');
  } else if (input.deployed.diff.same) {
    out.push('Nothing differs from the lineage on the base branch (apart from its creation time).');
  } else {
    const changes = input.deployed.diff.changes;
    out.push('| field | change | deployed | this release |', '| --- | --- | --- | --- |');
    for (const c of changes.slice(0, MAX_DIFF_ROWS)) out.push(diffRow(c));
    if (changes.length > MAX_DIFF_ROWS) {
      out.push('', `… and ${changes.length - MAX_DIFF_ROWS} more; run \`model-gate lineage diff\` for all of them.`);
    }
  }
  out.push('', '### Approvals needed', '');
  out.push(...approvalsNeeded(input.policy, input.changedPaths));
  out.push(
    '',
    '### How to approve',
    '',
    'Review the digests above, then sign an approval bound to this exact head commit and these digests (OpenSSH ≥ 8.1):',
    '',
    '```sh',
    `npx model-gate approve --repo ${input.repository} --pr <this PR's number> --post`,
    '```',
    '',
    'A new push changes the head commit, and approvals of the old one stop counting.',
  );
  return `${out.join('\n')}\n`;
}

function diffRow(c: LineageChange): string {
  const show = (v: unknown): string => {
    if (v === undefined) return '';
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    return cell(text.length > 80 ? `${text.slice(0, 77)}...` : text);
  };
  return `| ${code(c.field)} | ${c.change} | ${show(c.a)} | ${show(c.b)} |`;
}

function approvalsNeeded(policy: Policy | null | string, changedPaths: string[]): string[] {
  if (policy === null) {
    return ['No policy file (`.github/model-release-gate.yml`) on the base branch: the gate will fail closed until one is added.'];
  }
  if (typeof policy === 'string') return [`The policy on the base branch cannot be read: ${policy}`];
  const applying = policy.rules.filter((rule) => {
    const matches = protectedMatcher(rule);
    return changedPaths.some(matches);
  });
  if (applying.length === 0) return ['No rule of the policy covers the changed paths.'];
  const lines = ['| rule | role | approvers needed | from | signed |', '| --- | --- | ---: | --- | --- |'];
  for (const rule of applying) {
    for (const role of rule.roles) {
      const from = [...role.teams.map((t) => `@${t}`), ...role.users.map((u) => `@${u}`)].join(', ');
      lines.push(`| ${cell(rule.name)} | ${cell(role.name)} | ${role.count} | ${cell(from)} | ${rule.signatures.required ? 'yes' : 'no'} |`);
    }
  }
  lines.push(
    '',
    policy.allow_commit_authors
      ? 'One person fills at most one role; the PR author does not count.'
      : 'One person fills at most one role; the PR author and the authors of its commits do not count.',
  );
  return lines;
}
