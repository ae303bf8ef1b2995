/**
 * CLI commands of the approval gate: `simulate` (evaluate a policy against a
 * facts file offline), `approval statement` (the exact bytes to sign) and
 * `policy check` (validate a policy file). Translation only: the decisions
 * are `evaluate`, `buildStatement` and `parsePolicy`.
 */
import type { Command } from 'commander';
import { GateError } from '../../core/errors.js';
import type { KeySource, Policy, PullRequestFacts, Verdict } from '../../approval/types.js';
import { printJson, type CliIo } from '../io.js';
import { action, integerOption, type CliRun } from '../command-kit.js';
import { readInputText } from '../input-file.js';

const readText = (io: CliIo, file: string, what: string): Promise<string> => readInputText(io.cwd, file, `the ${what}`, `check the path of the ${what}`);

/** Reads and validates a facts file (JSON of PullRequestFacts). */
export async function readFacts(io: CliIo, file: string): Promise<PullRequestFacts> {
  const text = await readText(io, file, 'facts file');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new GateError('E_JSON', `the facts file is not JSON: ${(e as Error).message}`, {
      where: file,
      hint: 'see docs/simulate.md for the facts format',
    });
  }
  return (await import('../../approval/facts.js')).validateFacts(value, file);
}

const keySourceText = (k: KeySource): string => (k.kind === 'github' ? 'github' : `${k.kind}:${k.path}`);

/** One line per rule, for `policy check`. */
export function policySummary(policy: Policy): string {
  const rules = policy.rules.map((r) => {
    const roles = r.roles.map((x) => `${x.name}×${x.count}`).join(' + ');
    const sig = r.signatures.required ? `signed (${r.signatures.keys.map(keySourceText).join(', ')})` : 'unsigned';
    const checks = [
      r.checks.metadata ? 'metadata' : '',
      r.checks.datasets.length ? `datasets ${r.checks.datasets.join('/')}` : '',
      r.checks.lfs_digest ? 'lfs digest' : '',
      ...r.checks.metrics.map((m) => m.text),
    ].filter(Boolean);
    return `${r.name}: ${roles}, ${r.minimum_approvers} distinct approver${r.minimum_approvers === 1 ? '' : 's'}, ${sig}${checks.length ? `, checks: ${checks.join(', ')}` : ''}`;
  });
  // Every rule protects the same named files (policy-parse.ts): say once which they are.
  const named = policy.rules[0]?.protected_files ?? [];
  return `${policy.rules.length} rule${policy.rules.length === 1 ? '' : 's'}: ${rules.join('; ')}${named.length ? `; also protected: ${named.join(', ')}` : ''}`;
}

function table(rows: string[][], indent = '  '): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => indent + r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ').trimEnd()).join('\n');
}

/** The human form of a verdict: a table per rule, then every approval with why. */
export function formatVerdict(v: Verdict): string {
  const out: string[] = [];
  const head = v.head_sha.slice(0, 7);
  out.push(
    `model-release-gate: ${v.passed ? 'PASSED' : 'FAILED'}${v.release ? '' : ' (not a model release)'}${v.base_ref ? ` · base ${v.base_ref}` : ''} · head ${head}`,
  );
  for (const r of v.rules) {
    out.push('');
    out.push(`rule ${r.name}: ${!r.applies ? 'does not apply' : r.passed ? 'satisfied' : 'NOT satisfied'}${r.touched.length ? ` (touches ${r.touched.join(', ')}${r.touched.length >= 5 ? ', …' : ''})` : ''}`);
    if (!r.applies) continue;
    const rows = [['role', 'required', 'filled by']];
    for (const role of r.roles) {
      const by = role.filled_by.map((f) => `${f.login}${f.key_fingerprint ? ` [${f.key_fingerprint}]` : f.signature === 'not-required' ? ' [unsigned]' : ''}`);
      rows.push([role.role, String(role.required), by.length ? by.join(', ') : '—']);
    }
    out.push(table(rows));
    out.push(`  distinct approvers: ${r.approvers.length} of ${r.minimum_approvers} needed${r.approvers.length ? ` (${r.approvers.join(', ')})` : ''}`);
    for (const m of r.missing) out.push(`  missing: ${m}`);
    for (const c of r.checks) out.push(`  check ${c.passed ? 'ok  ' : 'FAIL'} ${c.name}: ${c.reason}`);
    for (const reason of r.reasons.filter((x) => !r.missing.includes(x) && !x.startsWith('check failed:'))) out.push(`  ${reason}`);
  }
  if (v.approvals.length) {
    out.push('');
    out.push('reviews:');
    out.push(table(v.approvals.map((a) => [a.login, a.counted ? 'counted' : 'ignored', a.reason])));
  }
  out.push('');
  out.push(...v.reasons.map((r) => `${v.passed ? '✓' : '✗'} ${r}`));
  if (v.notes?.length) out.push(...v.notes.map((n) => `note: ${n}`));
  return `${out.join('\n')}\n`;
}

export function register(program: Command, run: CliRun): void {
  program
    .command('simulate')
    .description('evaluate a release-gate policy against a pull request described in a facts file, offline (exit 0 passes, 1 fails)')
    .requiredOption('--policy <file>', 'policy file (.github/model-release-gate.yml)')
    .requiredOption('--facts <file>', 'facts file: JSON of PullRequestFacts (see docs/simulate.md)')
    .option('--json', 'print the verdict as JSON on stdout')
    .action(
      action(run, async (opts: { policy: string; facts: string; json?: boolean }) => {
        const { parsePolicy } = await import('../../approval/policy-parse.js');
        const { evaluate } = await import('../../approval/evaluate.js');
        const policy = parsePolicy(await readText(run.io, opts.policy, 'policy file'), opts.policy);
        const facts = await readFacts(run.io, opts.facts);
        const verdict = await evaluate(policy, facts);
        if (opts.json) printJson(run.io, verdict);
        else run.io.stdout(formatVerdict(verdict));
        return verdict.passed ? 0 : 1;
      }),
    );

  const approval = program.command('approval').description('approval statements');
  approval
    .command('statement')
    .description('print the exact bytes an approver signs (canonical JSON, no trailing newline) for ssh-keygen -Y sign -n model-release-gate@v1')
    .requiredOption('--facts <file>', 'facts file of the pull request (JSON of PullRequestFacts)')
    .requiredOption('--login <login>', "the approver's GitHub login")
    .option('--role <role>', 'bind the approval to one role (it can then fill only that role)')
    .option('--user-id <id>', "the approver's numeric GitHub user id (default: from the facts)", integerOption('--user-id'))
    .action(
      action(run, async (opts: { facts: string; login: string; role?: string; userId?: number }) => {
        const facts = await readFacts(run.io, opts.facts);
        const { buildStatement, findApprover, statementBytes } = await import('../../approval/statement.js');
        const approver = findApprover(facts, opts.login, opts.userId);
        if (opts.role !== undefined && opts.role.trim() === '') throw new GateError('E_USAGE', '--role must not be empty');
        run.io.stdout(statementBytes(buildStatement(facts, approver, opts.role)).toString('utf8'));
        return 0;
      }),
    );

  const policy = program.command('policy').description('release-gate policy files');
  policy
    .command('check')
    .description('validate a policy file (exit 0 with a summary, 2 with every problem and its line and column)')
    .argument('<file>', 'policy file, e.g. .github/model-release-gate.yml')
    .option('--json', 'print the normalised policy as JSON')
    .action(
      action(run, async (file: string, opts: { json?: boolean }) => {
        const { parsePolicy } = await import('../../approval/policy-parse.js');
        const parsed = parsePolicy(await readText(run.io, file, 'policy file'), file);
        if (opts.json) printJson(run.io, parsed);
        else run.io.stdout(`${file}: valid; ${policySummary(parsed)}\n`);
        return 0;
      }),
    );
}
