/**
 * The check run `model-release-gate`: a pure rendering of a verdict into the
 * conclusion, title and markdown summary GitHub shows on the pull request.
 * The summary names the base branch (a retargeted pull request must not reuse
 * a result), who filled which role with which key, what is missing, and the
 * exact statement an approver signs with the one command that signs it.
 */
import { buildStatement, statementBytes } from './statement.js';
import { APPROVAL_NAMESPACE, POLICY_PATH, type PullRequestFacts, type Verdict } from './types.js';

/** The check's name: what branch protection requires. */
export const CHECK_NAME = 'model-release-gate';

/** GitHub's limit on `output.summary` and `output.text`. */
const MAX_OUTPUT = 65535;

/** What GitHub shows of a completed check run (its `conclusion` and `output`). */
export interface CheckRunOutput {
  conclusion: 'success' | 'failure';
  title: string;
  summary: string;
  text?: string;
}

/** Where the verdict came from, for the summary's first line. */
export interface VerdictContext {
  repository: string;
  pull_request: number;
  base_ref: string;
  base_sha: string;
  /** The commit the check is on (the PR head, or a merge group's head). */
  check_sha: string;
  /** The PR head the approvals are bound to. */
  head_sha: string;
  merge_group?: { head_sha: string; head_ref: string };
  /** The other open pull requests with this head, each judged by its own base (the check is the commit's). */
  siblings?: SiblingVerdict[];
}

/** Another open pull request whose head is the checked commit. */
export interface SiblingVerdict {
  /** 0 when the list itself could not be read. */
  number: number;
  base_ref: string;
  passed: boolean;
  /** Why it fails (empty when it passes). */
  reason: string;
}

const short = (sha: string) => sha.slice(0, 12);
const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

function siblingsTable(ctx: VerdictContext): string[] {
  return [
    `**Other open pull requests with head ${code(short(ctx.check_sha))}** (GitHub shows this check on each of them, so each must pass its own base's policy):`,
    '',
    '| Pull request | Base | Verdict | Why |',
    '|---|---|---|---|',
    ...(ctx.siblings ?? []).map((x) =>
      x.number ? `| #${x.number} | ${code(x.base_ref)} | ${x.passed ? 'passes' : 'fails'} | ${cell(x.reason)} |` : `| ? | | fails | ${cell(x.reason)} |`,
    ),
  ];
}

function header(ctx: VerdictContext): string {
  const lines = [
    `**Base branch:** ${code(ctx.base_ref)} · policy ${code(POLICY_PATH)} read from ${code(short(ctx.base_sha))} (the base branch; a pull request cannot change its own gate) · head ${code(short(ctx.head_sha))}`,
  ];
  if (ctx.merge_group) {
    lines.push(
      `**Merge group:** ${code(ctx.merge_group.head_ref)} at ${code(short(ctx.merge_group.head_sha))}, evaluated for pull request #${ctx.pull_request}`,
    );
  }
  return lines.join('\n');
}

/** Renders a verdict (facts may be partial when the gate failed before gathering them). */
export function renderCheckRun(
  verdict: Verdict,
  ctx: VerdictContext,
  facts?: PullRequestFacts,
): CheckRunOutput {
  const conclusion = verdict.passed ? 'success' : 'failure';
  const parts: string[] = [header(ctx), ''];
  let title = '';

  const blocked = (ctx.siblings ?? []).filter((x) => !x.passed);
  if (blocked.length > 0) {
    const b = blocked[0];
    title = b.number
      ? `Blocked (base ${ctx.base_ref}): pull request #${b.number} into ${b.base_ref} has this head and fails its own policy`
      : `Gate failed (base ${ctx.base_ref}): ${firstLine(b.reason)}`;
    parts.push(...siblingsTable(ctx), '');
    if (!verdict.release) {
      parts.push('This pull request changes no path the policy protects, but the check belongs to the commit.');
      return finish('failure', title.length > 250 ? `${title.slice(0, 247)}...` : title, parts);
    }
  } else if (ctx.siblings?.length) {
    parts.push(...siblingsTable(ctx), '');
  }

  if (!verdict.release && verdict.passed) {
    title = `Not a model release (base ${ctx.base_ref})`;
    parts.push('This pull request changes no path the policy protects: no approval is needed.');
    return finish(conclusion, title, parts);
  }

  const applicable = verdict.rules.filter((r) => r.applies);
  const roles = verdict.roles.filter((r) => applicable.some((a) => a.name === r.rule));
  const filled = roles.reduce((n, r) => n + Math.min(r.filled_by.length, r.required), 0);
  const needed = roles.reduce((n, r) => n + r.required, 0);
  if (blocked.length > 0) {
    // title set above: the other pull request is why this commit fails
  } else if (verdict.passed) {
    title = `Approved: ${filled} of ${needed} role slots filled by distinct people (base ${ctx.base_ref})`;
  } else if (applicable.length === 0) {
    title = `Gate failed (base ${ctx.base_ref}): ${firstLine(verdict.reasons[0] ?? 'the gate could not decide')}`;
  } else {
    const missing = applicable.flatMap((r) => r.missing)[0] ?? verdict.reasons[0] ?? 'not approved';
    title = `Not approved (base ${ctx.base_ref}): ${firstLine(missing)}`;
  }
  title = title.length > 250 ? `${title.slice(0, 247)}...` : title;

  if (verdict.reasons.length > 0) {
    parts.push(verdict.passed ? '**Notes**' : '**Why the gate fails**', '');
    for (const r of verdict.reasons) parts.push(`- ${fence(r)}`);
    parts.push('');
  }
  // What did not decide the verdict but a reviewer must see (a shared key, unlinked commit authors).
  if (verdict.notes?.length) {
    parts.push(verdict.passed ? '**Also noted**' : '**Also noted** (not why it fails)', '');
    for (const n of verdict.notes) parts.push(`- ${fence(n)}`);
    parts.push('');
  }

  for (const rule of applicable) {
    parts.push(`### Rule ${code(rule.name)}: ${rule.passed ? 'passed' : 'not passed'}`, '');
    if (rule.touched.length) parts.push(`Touches ${rule.touched.map(code).join(', ')}`, '');
    parts.push('| Rule | Role | Required | Filled by | Key fingerprint | Signature |', '|---|---|---|---|---|---|');
    for (const role of verdict.roles.filter((r) => r.rule === rule.name)) {
      const rows = role.filled_by.length ? role.filled_by : [];
      for (const f of rows) {
        parts.push(
          `| ${cell(rule.name)} | ${cell(role.role)} | ${role.required} | @${cell(f.login)} | ${f.key_fingerprint ? code(f.key_fingerprint) : '—'} | ${f.signature} |`,
        );
      }
      for (let i = rows.length; i < role.required; i++) {
        parts.push(`| ${cell(rule.name)} | ${cell(role.role)} | ${role.required} | **nobody yet** | — | missing |`);
      }
    }
    parts.push('');
    if (rule.missing.length) {
      parts.push('**Missing**', '', ...rule.missing.map((m) => `- ${cell(m)}`), '');
    }
    if (rule.checks.length) {
      parts.push('**Automated checks**', '', '| Check | Result | Detail |', '|---|---|---|');
      for (const c of rule.checks) parts.push(`| ${cell(c.name)} | ${c.passed ? 'passed' : 'failed'} | ${cell(c.reason)} |`);
      parts.push('');
    }
    // Reasons not already shown as missing slots or failed checks (e.g. vetoes).
    const other = rule.reasons.filter((r) => !rule.missing.includes(r) && !r.startsWith('check failed:'));
    if (other.length) parts.push('**Also**', '', ...other.map((r) => `- ${cell(r)}`), '');
  }

  if (facts?.head_files?.length) parts.push(...headFilesTable(facts));

  if (verdict.approvals.length > 0) {
    parts.push('### Reviews', '', '| Reviewer | State | Commit | Counted | Why |', '|---|---|---|---|---|');
    for (const a of verdict.approvals) {
      const stale = a.commit_id && a.commit_id !== ctx.head_sha ? ' (not the head)' : '';
      parts.push(
        `| @${cell(a.login)} | ${a.state} | ${code(short(a.commit_id))}${stale} | ${a.counted ? 'yes' : 'no'} | ${cell(a.reason)} |`,
      );
    }
    parts.push('');
  }

  if (!verdict.passed && facts && applicable.length > 0) parts.push(...howToApprove(ctx, facts, verdict));
  return finish(conclusion, title, parts);
}

const KIND_TEXT: Record<string, string> = {
  blob: 'file',
  lfs: 'Git LFS pointer (oid)',
  symlink: 'symbolic link',
  submodule: 'submodule',
  absent: 'not in the commit',
  unreadable: 'could not be read',
};

/** What the head commit holds at every path the gate judged, hashed by the App itself. */
function headFilesTable(facts: PullRequestFacts): string[] {
  const rows = (facts.head_files ?? []).slice(0, 100).map(
    (f) => `| ${code(f.path)} | ${KIND_TEXT[f.kind] ?? f.kind} | ${f.digest ? code(f.digest) : '—'} | ${cell(f.reason ?? '')} |`,
  );
  const more = (facts.head_files?.length ?? 0) - rows.length;
  return [
    `### Bytes at ${code(short(facts.head_sha))}`,
    '',
    'Hashed by the gate from the commit itself (Git Data API); the statement names these digests, not what metadata.json claims.',
    '',
    '| Path | What | SHA-256 | Note |',
    '|---|---|---|---|',
    ...rows,
    ...(more > 0 ? [`| … | ${more} more | | |`] : []),
    '',
  ];
}

/** The statement to sign and the command that signs it. */
function howToApprove(ctx: VerdictContext, facts: PullRequestFacts, verdict: Verdict): string[] {
  const roles = [...new Set(verdict.roles.filter((r) => r.filled_by.length < r.required).map((r) => r.role))];
  const statement = buildStatement(facts, { login: 'YOUR-LOGIN', id: 0 });
  const out = [
    '### How to approve',
    '',
    `Approvals count only for head ${code(short(ctx.head_sha))}: a new push needs new approvals. With the CLI, one command builds the statement from GitHub, signs it with your SSH key and posts the approving review:`,
    '',
    '```sh',
    `model-gate approve --repo ${ctx.repository} --pr ${ctx.pull_request}${roles.length === 1 ? ` --role ${roles[0]}` : ''} --post`,
    '```',
    '',
    `By hand: sign this statement (canonical JSON, no trailing newline; put your login and numeric GitHub id in \`approver\`${roles.length ? `, and add \`"role"\` to fill only one of ${roles.map(code).join(', ')}` : ''}), then approve the pull request with the armored signature block as the review body:`,
    '',
    '```json',
    statementBytes(statement).toString('utf8'),
    '```',
    '',
    '```sh',
    `model-gate approve --repo ${ctx.repository} --pr ${ctx.pull_request} --statement-only > statement.json`,
    `ssh-keygen -Y sign -n ${APPROVAL_NAMESPACE} -f ~/.ssh/id_ed25519 statement.json   # writes statement.json.sig`,
    '```',
  ];
  return out;
}

function finish(conclusion: 'success' | 'failure', title: string, parts: string[]): CheckRunOutput {
  let summary = parts.join('\n').trimEnd();
  if (summary.length > MAX_OUTPUT) {
    summary = `${summary.slice(0, MAX_OUTPUT - 200)}\n\n… (truncated: GitHub keeps at most 65,535 characters; the audit record holds the full verdict)`;
  }
  return { conclusion, title, summary };
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

/** Multi-line reasons (policy errors list every problem) in a code block. */
function fence(s: string): string {
  if (!s.includes('\n')) return s;
  const [first, ...rest] = s.split('\n');
  return `${first}\n\n  \`\`\`\n${rest.map((l) => `  ${l}`).join('\n')}\n  \`\`\``;
}
