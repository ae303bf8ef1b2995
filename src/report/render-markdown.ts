/**
 * The Markdown report: for a job summary, a pull request body or a ticket.
 * GitHub renders the lineage graph from the Mermaid block (`flowchart LR`).
 * Every string from the log is escaped (escape.ts), including inside Mermaid
 * labels, so a model path cannot close a table cell, a label or the fence.
 */
import { escapeMarkdown as e, escapeMermaid, mdCode as c, safeHref } from './escape.js';
import { unanchoredText } from './anchoring-text.js';
import { changeStateText, shortDigest } from './graph.js';
import type { ControlStatus, LineageGraph, ReportModel, ReportRelease } from './model.js';

const STATUS: Record<ControlStatus, string> = {
  'evidence-present': '✅ evidence present',
  'evidence-partial': '⚠️ evidence partial',
  'evidence-absent': '➖ no evidence in log',
  'evidence-contradicted': '❌ evidence contradicts',
  'not-applicable': '➖ not applicable',
};

const gate = (g: string | null): string => (g === 'success' ? '✅ passed' : g === 'failure' ? '❌ failed' : g ? e(g) : '— no verdict');
const deployed = (d: string | null): string =>
  d === 'approved' ? '✅ deployed' : d === 'rejected' ? '❌ refused' : d === 'pending' ? '⏸ held' : d ? e(d) : '— not deployed';
const mdLink = (label: string, url: string | null | undefined): string => {
  const href = safeHref(url);
  return href ? `[${e(label)}](<${href.replace(/[<>\s]/g, encodeURIComponent)}>)` : e(label);
};
const row = (cells: string[]): string => `| ${cells.join(' | ')} |`;
const table = (head: string[], rows: string[][]): string =>
  [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');

/** The Mermaid source of one lineage graph (`flowchart LR`). */
export function mermaidGraph(graph: LineageGraph, prefix: string): string {
  const id = (n: string): string => `${prefix}_${n.replace(/[^A-Za-z0-9]/g, '_')}`;
  const lines = ['flowchart LR'];
  for (const n of graph.nodes) {
    const label = n.detail ? `${escapeMermaid(n.label)}<br/>${escapeMermaid(n.detail)}` : escapeMermaid(n.label);
    const shape = n.kind === 'model' ? [`[["`, `"]]`] : n.kind === 'dataset' ? [`[("`, `")]`] : [`["`, `"]`];
    lines.push(`  ${id(n.id)}${shape[0]}${label}${shape[1]}`);
  }
  for (const edge of graph.edges) lines.push(`  ${id(edge.from)} --> ${id(edge.to)}`);
  const byStatus = (s: string): string[] => graph.nodes.filter((n) => n.status === s).map((n) => id(n.id));
  lines.push('  classDef ok fill:#e7f4ea,stroke:#1e7e34;', '  classDef bad fill:#fdecea,stroke:#b42318;', '  classDef pending fill:#fafafa,stroke:#b0b7c3,stroke-dasharray: 4 3;');
  for (const s of ['ok', 'bad', 'pending']) {
    const ids = byStatus(s);
    if (ids.length) lines.push(`  class ${ids.join(',')} ${s};`);
  }
  return lines.join('\n');
}

function release(r: ReportRelease): string {
  const out: string[] = [];
  out.push(`### ${e(r.model.path ?? 'Model')} (release record ${r.seq})`, '');
  out.push('```mermaid', mermaidGraph(r.graph, `r${r.seq}`), '```', '');
  out.push(`- **Model**: ${[r.model.path ? e(r.model.path) : '', c(r.model.digest)].filter(Boolean).join(' ')}`);
  out.push(`- **Lineage (metadata.json)**: ${r.metadata ? [r.metadata.path ? e(r.metadata.path) : '', c(r.metadata.digest)].filter(Boolean).join(' ') : '—'}${r.metadata_file ? ` (rows and files read from ${e(r.metadata_file)}, whose SHA-256 matches)` : ''}`);
  out.push(`- **Reproducibility digest**: ${c(r.reproducibility_digest)}`);
  out.push(`- **Released** ${e(r.time)} by ${e(r.actor)} via ${e(r.component)}; record ${c(r.record_digest)}`);
  if (r.run) {
    const label = [r.run.repository, r.run.workflow, r.run.run_id ? `run ${r.run.run_id}` : null].filter(Boolean).join(' · ') || 'run';
    out.push(`- **Run**: ${mdLink(label, r.run.url)}${r.run.commit ? ` at ${c(r.run.commit)}` : ''}`);
  }
  out.push(`- **Gate**: ${gate(r.gate)} · **Deployment**: ${deployed(r.deployed)}`, '');
  if (r.datasets.length) {
    out.push('**Datasets**', '');
    out.push(table(['Dataset', 'Role', 'Digest', 'Rows', 'Files'], r.datasets.map((d) => [e(d.name), e(d.role ?? '—'), c(d.digest), d.rows === null ? '—' : String(d.rows), d.files === null ? '—' : String(d.files)])), '');
  } else {
    out.push('_The release record names no datasets._', '');
  }
  if (r.approvals.length) {
    out.push('**Approvals**', '');
    out.push(
      table(
        ['Approver', 'Role', 'Key fingerprint', 'Pull request', 'Record'],
        r.approvals.map((a) => [e(a.login), e(a.role ?? '—'), a.key_fingerprint ? c(a.key_fingerprint) : '⚠️ unsigned', a.pull_request === null ? '—' : `#${a.pull_request}`, `${a.seq} (${e(a.time)})`]),
      ),
      '',
    );
  } else {
    out.push('_No verified approval in the log names this model or its metadata.json._', '');
  }
  if (r.change_requests.length) {
    out.push('**Change requests**', '');
    out.push(table(['Change', 'System', 'State', 'Approval', 'Record'], r.change_requests.map((x) => [mdLink(x.number ?? '(no number)', x.url), e(x.system ?? '—'), e(changeStateText(x.state) ?? '—'), e(x.approval ?? '—'), String(x.seq)])), '');
  }
  if (r.deployments.length) {
    out.push('**Deployment decisions**', '');
    out.push(table(['Environment', 'Decision', 'Reason', 'Change', 'Record'], r.deployments.map((d) => [e(d.environment ?? '—'), deployed(d.decision), e(d.reason ?? '—'), e(d.change_number ?? '—'), `${d.seq} (${e(d.time)})`])), '');
  }
  return out.join('\n');
}

/** Renders the report as GitHub-flavoured Markdown (pure). */
export function renderMarkdown(m: ReportModel): string {
  const v = m.verification;
  const out: string[] = [];
  if (!v.ok) {
    out.push('> [!CAUTION]', `> ⚠️ **WARNING: the audit log did NOT verify: ${v.findings.length} finding(s).** Records were altered, removed or are missing; the releases below come from a log that cannot be trusted as it stands.`, '');
  } else if (v.status !== 'intact') {
    out.push('> [!WARNING]', `> **The audit log verified, but ${e(unanchoredText(v))} covered by no signed checkpoint.** The hash chain holds, yet an edit of the last record, a cut of the tail or a tail replaced by forged records there could not be detected.`, '');
  }
  out.push('# Model release compliance report', '');
  const period = m.period.since || m.period.until
    ? `${m.period.since ? `from ${m.period.since} (inclusive)` : 'from the beginning'} ${m.period.until ? `until ${m.period.until} (exclusive)` : 'until now'}`
    : 'the whole log';
  out.push(`Log **${e(m.log.name ?? 'audit log')}** · period: ${period}${m.generated_at ? ` · generated ${m.generated_at}` : ''}`, '');

  out.push('## Verification of the audit log', '');
  if (v.status === 'intact') out.push(`✅ **Intact**: all ${v.size} record(s) of the whole log verified and anchored by ${e(v.anchored_by ?? 'a signed checkpoint')}; head ${c(v.head)}.`);
  else if (v.ok) out.push(`⚠️ **Unanchored tail**: the chain of all ${v.size} record(s) verified (head ${c(v.head)}), but ${e(unanchoredText(v))} covered by no signed checkpoint${v.anchored_size ? ` (records 0 to ${v.anchored_size - 1} are anchored by ${e(v.anchored_by ?? '')})` : ''}.`);
  else out.push(`❌ **Not intact**: ${v.findings.length} finding(s) in ${v.size} record(s).`);
  out.push('');
  if (v.checkpoint) {
    out.push(`Verified against the signed checkpoint at size ${v.checkpoint.size} (head ${c(v.checkpoint.head)}, signed ${e(v.checkpoint.time)}${v.checkpoint.kid ? `, key id ${c(v.checkpoint.kid)}` : ''}).`);
  } else if (v.checkpoint_keys.length) {
    out.push('No checkpoint verified against the key given.');
  } else {
    out.push('No checkpoint key given: checkpoints were not used (a truncated tail would not show).');
  }
  out.push('', `Stores: ${m.log.stores.map((s) => c(s)).join(', ')}. The verification covers the whole log, whatever the period.`, '');
  if (v.findings.length) {
    out.push(table(['Kind', 'Record', 'What was found'], v.findings.map((f) => [e(f.kind), String(f.seq), e(`${f.message}${f.store ? ` [${f.store}]` : ''}`)])), '');
  }

  out.push('## Releases in the period', '');
  const s = m.summary;
  out.push(`${s.releases} release(s), ${s.approvers} distinct approver(s), ${s.approvals} verified approval(s), ${s.deployments} deployment decision(s); ${s.records_in_period} of ${s.records_total} record(s) in the period.`, '');
  if (m.releases.length) {
    out.push(
      table(
        ['Record', 'Released (UTC)', 'Model', 'Model digest', 'Approvers', 'Gate', 'Deployment'],
        m.releases.map((r) => [String(r.seq), e(r.time), e(r.model.path ?? '—'), c(shortDigest(r.model.digest)), r.approvers.length ? r.approvers.map((a) => e(a.login)).join(', ') : '—', gate(r.gate), deployed(r.deployed)]),
      ),
      '',
    );
  }

  out.push('## Controls and the evidence in the log', '');
  out.push(
    table(
      ['Control', 'Commonly mapped to', 'Status', 'What the log shows'],
      m.controls.map((x) => [e(x.control), x.rules.map(e).join('; '), STATUS[x.status], x.evidence.map(e).join(' ')]),
    ),
    '',
  );
  out.push('Limits of each control are listed in the HTML and JSON reports and in the documentation.', '');

  if (m.releases.length) {
    out.push('## Release details', '');
    for (const r of m.releases) out.push(release(r), '');
  }

  const other = m.unlinked.length + m.appendix.unknown_event_types.length + m.appendix.unreadable.length;
  if (other) {
    out.push('## Appendix: other records', '');
    const rows = [
      ...m.unlinked.map((x) => [String(x.seq), e(x.event_type), e(x.actor), e(x.action), 'names no release']),
      ...m.appendix.unknown_event_types.flatMap((u) => u.records.map((x) => [String(x.seq), e(x.event_type), e(x.actor), e(x.action), 'event type not interpreted'])),
      ...m.appendix.unreadable.map((x) => [String(x.seq), '—', '—', '—', e(`not a valid record: ${x.reason}`)]),
    ];
    out.push(table(['Record', 'Event type', 'Actor', 'Action', 'Note'], rows), '');
  }
  out.push(`_${e(m.disclaimer)}_`, '');
  return out.join('\n');
}
