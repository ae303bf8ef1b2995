/**
 * The check run on a merge group's head (pure rendering): which protected
 * files the group's whole diff changes, what the group's head holds there,
 * and which approved pull request signed exactly that.
 */
import type { HeadFileFact } from './types.js';
import type { CheckRunOutput } from './check-run-text.js';

export interface MergeGroupView {
  head_ref: string;
  head_sha: string;
  base_ref: string;
  base_sha: string;
  /** The pull request the queue made this group for (from its ref). */
  pull_number: number | null;
  /** Protected files the group changes, as the group's head holds them. */
  files: HeadFileFact[];
  covered: Map<string, number>;
  uncovered: string[];
  /** Why the group fails before any file was judged (bad ref, policy, listing), or notes. */
  reasons: string[];
  /** Candidate pull requests and what each was found to be. */
  candidates: Array<{ number: number; note: string }>;
}

const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const short = (sha: string) => sha.slice(0, 12);

/** Renders the merge group's verdict. */
export function renderMergeGroup(v: MergeGroupView): CheckRunOutput {
  const passed = v.reasons.length === 0 && v.uncovered.length === 0;
  const release = v.files.length > 0;
  const title = !passed
    ? v.reasons.length > 0
      ? `Merge group failed (base ${v.base_ref}): ${v.reasons[0].split('\n')[0]}`
      : `Merge group not approved (base ${v.base_ref}): ${v.uncovered[0]} is not what any approved pull request signed`
    : release
      ? `Merge group approved (base ${v.base_ref}): every protected file it changes is what an approved pull request signed`
      : `Not a model release (merge group, base ${v.base_ref})`;
  const parts = [
    `**Merge group:** ${code(v.head_ref)} at ${code(short(v.head_sha))}${v.pull_number ? `, made for pull request #${v.pull_number}` : ''} · judged by its whole diff ${code(`${short(v.base_sha)}...${short(v.head_sha)}`)} and the policy at ${code(short(v.base_sha))} (base ${code(v.base_ref)})`,
    '',
  ];
  if (v.reasons.length) parts.push(passed ? '**Notes**' : '**Why the merge group fails**', '', ...v.reasons.map((r) => `- ${cell(r)}`), '');
  if (release) {
    parts.push('| Protected file | At the group head | SHA-256 | Signed by the approvals of |', '|---|---|---|---|');
    for (const f of v.files) {
      const by = v.covered.get(f.path);
      parts.push(`| ${code(f.path)} | ${f.kind} | ${f.digest ? code(f.digest) : '—'} | ${by ? `#${by}` : '**no approved pull request**'} |`);
    }
    parts.push('');
  } else if (passed) {
    parts.push('The merge group changes no path the policy protects: no approval is needed.', '');
  }
  if (v.candidates.length) parts.push('**Pull requests considered**', '', ...v.candidates.map((c) => `- #${c.number}: ${cell(c.note)}`), '');
  let summary = parts.join('\n').trimEnd();
  if (summary.length > 65535) summary = `${summary.slice(0, 65000)}\n\n… (truncated)`;
  return { conclusion: passed ? 'success' : 'failure', title: title.length > 250 ? `${title.slice(0, 247)}...` : title, summary };
}
