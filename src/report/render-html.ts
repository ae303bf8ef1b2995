/**
 * The HTML report: one self-contained file an auditor can open, archive and
 * print. No network fetch of any kind (inline CSS, inline SVG, system fonts),
 * and a Content-Security-Policy that forbids scripts and remote loads, so even
 * a string from the log that escaped escaping could neither run nor call out.
 */
import { escapeHtml as h, safeHref } from './escape.js';
import { changeStateText, shortDigest } from './graph.js';
import { unanchoredText } from './anchoring-text.js';
import type { ControlStatus, ReportModel, ReportRelease } from './model.js';
import { renderSvgGraph } from './svg-graph.js';

const CSS = `
:root { --ink:#1d2430; --muted:#5b6472; --line:#d5dae1; --bg:#f6f7f9; --accent:#1f3a5f; --ok:#1e7e34; --okbg:#e7f4ea; --bad:#b42318; --badbg:#fdecea; --warn:#8a5a00; --warnbg:#fff4d6; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; color: var(--accent); letter-spacing: -0.01em; }
h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 6px; border-bottom: 2px solid var(--accent); color: var(--accent); }
h3 { font-size: 16px; margin: 0 0 8px; }
h4 { font-size: 13px; margin: 16px 0 6px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); }
p { margin: 6px 0; }
.meta { color: var(--muted); margin: 0 0 16px; }
.mono, code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12px; word-break: break-all; }
table { width: 100%; border-collapse: collapse; margin: 6px 0 12px; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
table.controls { table-layout: fixed; }
table.controls td { font-size: 13px; }
th { background: var(--bg); font-size: 12px; text-transform: uppercase; letter-spacing: 0.03em; color: var(--muted); font-weight: 600; }
table.facts th { width: 210px; text-transform: none; letter-spacing: 0; font-size: 13px; }
.banner { padding: 14px 18px; border-radius: 6px; margin: 0 0 20px; font-size: 15px; border: 1px solid; }
.banner strong { font-size: 17px; display: block; margin-bottom: 2px; }
.banner.ok { background: var(--okbg); border-color: #9fd3ad; color: #14522a; }
.banner.bad { background: var(--bad); border-color: #7a1a12; color: #fff; }
.banner.warn { background: var(--warnbg); border-color: #e0b84c; color: #4d3200; }
.cards { display: grid; grid-template-columns: repeat(5, 1fr); gap: 12px; margin: 12px 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; background: var(--bg); }
.card .n { font-size: 24px; font-weight: 700; color: var(--accent); }
.card .l { color: var(--muted); font-size: 12px; }
.pill { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; white-space: nowrap; border: 1px solid transparent; }
.pill.ok { background: var(--okbg); color: var(--ok); border-color: #9fd3ad; }
.pill.bad { background: var(--badbg); color: var(--bad); border-color: #f1aeb5; }
.pill.warn { background: var(--warnbg); color: var(--warn); border-color: #f0d58a; }
.pill.none { background: var(--bg); color: var(--muted); border-color: var(--line); }
.release { border: 1px solid var(--line); border-radius: 8px; padding: 16px 18px; margin: 16px 0; }
.release header { display: flex; justify-content: space-between; gap: 12px; align-items: baseline; flex-wrap: wrap; }
.graph { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; background: #fbfcfd; padding: 8px; margin: 8px 0 4px; }
.graph svg { display: block; max-width: 100%; height: auto; }
svg .node rect { fill: #fff; stroke: #8a96a8; stroke-width: 1.2; }
svg .kind-dataset rect { fill: #eef3fb; }
svg .kind-run rect { fill: #f3eefb; }
svg .kind-model rect { fill: #e8eef6; stroke: var(--accent); stroke-width: 1.8; }
svg .status-ok rect { fill: var(--okbg); stroke: var(--ok); }
svg .status-bad rect { fill: var(--badbg); stroke: var(--bad); }
svg .status-pending rect { fill: #fafafa; stroke: #b0b7c3; stroke-dasharray: 4 3; }
svg .node-label { font: 600 12px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: var(--ink); }
svg .node-detail { font: 11px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; fill: var(--muted); }
svg .layer-title { font: 600 10px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: var(--muted); text-transform: uppercase; letter-spacing: 0.06em; }
svg .edge { fill: none; stroke: #8a96a8; stroke-width: 1.4; }
svg .arrow { fill: #8a96a8; }
.finding td:first-child { color: var(--bad); font-weight: 600; }
.muted { color: var(--muted); }
ul.tight { margin: 4px 0; padding-left: 18px; }
footer { margin-top: 36px; padding-top: 12px; border-top: 1px solid var(--line); color: var(--muted); font-size: 12px; }
a { color: var(--accent); }
@media (max-width: 800px) { .cards { grid-template-columns: repeat(2, 1fr); } main { padding: 16px; } }
@media print {
  @page { size: A4 landscape; margin: 14mm; }
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2 { break-after: avoid; }
  .release, .banner, table.facts, .graph { break-inside: avoid; }
  .graph { overflow: visible; }
  a { color: inherit; text-decoration: none; }
  a[href]::after { content: " (" attr(href) ")"; font-size: 9pt; color: var(--muted); word-break: break-all; }
}
`;

const STATUS_TEXT: Record<ControlStatus, [string, string]> = {
  'evidence-present': ['ok', 'Evidence present'],
  'evidence-partial': ['warn', 'Evidence partial'],
  'evidence-absent': ['none', 'No evidence in log'],
  'evidence-contradicted': ['bad', 'Evidence contradicts'],
  'not-applicable': ['none', 'Not applicable'],
};

const code = (v: string | null | undefined): string => (v ? `<span class="mono">${h(v)}</span>` : '<span class="muted">—</span>');
const text = (v: string | number | null | undefined): string => (v === null || v === undefined || v === '' ? '<span class="muted">—</span>' : h(v));
const link = (label: string, url: string | null | undefined): string => {
  const href = safeHref(url);
  return href ? `<a href="${h(href)}">${h(label)}</a>` : h(label);
};
const pill = (kind: string, label: string): string => `<span class="pill ${kind}">${h(label)}</span>`;

function gatePill(gate: string | null): string {
  if (gate === 'success') return pill('ok', 'passed');
  if (gate === 'failure') return pill('bad', 'failed');
  return gate ? pill('warn', gate) : pill('none', 'no verdict');
}

function deployPill(d: string | null): string {
  if (d === 'approved') return pill('ok', 'deployed');
  if (d === 'rejected') return pill('bad', 'refused');
  if (d === 'pending') return pill('warn', 'held');
  return d ? pill('warn', d) : pill('none', 'not deployed');
}

function periodText(m: ReportModel): string {
  const { since, until } = m.period;
  if (!since && !until) return 'the whole log';
  return `${since ? `from ${since} (inclusive)` : 'from the beginning'} ${until ? `until ${until} (exclusive)` : 'until now'}`;
}

function banner(m: ReportModel): string {
  const v = m.verification;
  // Green only when every record is anchored: a bare chain cannot show an edit of its last record or a cut tail.
  if (v.status === 'intact') {
    return `<div class="banner ok" role="status"><strong>The audit log verified: intact</strong>All ${v.size} record(s) of the log were checked against the hash chain and are anchored by ${h(v.anchored_by ?? 'a signed checkpoint')}. Head ${code(v.head)}.</div>`;
  }
  if (v.ok) {
    return `<div class="banner warn" role="alert" id="unanchored-banner"><strong>The audit log verified, but ${h(unanchoredText(v))} covered by no signed checkpoint</strong>The hash chain holds, yet an edit of the last record, a cut of the tail or a tail replaced by forged records there could not be detected. Sign a checkpoint after each append and give its public key to the report; see <a href="#verification">Verification</a>.</div>`;
  }
  return `<div class="banner bad" role="alert" id="tamper-banner"><strong>WARNING: the audit log did NOT verify</strong>Verification of the whole log found ${v.findings.length} finding(s): records were altered, removed or are missing. The releases below are read from a log that cannot be trusted as it stands; see <a href="#verification" style="color:#fff">Verification</a>.</div>`;
}

function verificationSection(m: ReportModel): string {
  const v = m.verification;
  const rows = [
    ['Result', v.status === 'intact' ? pill('ok', 'intact') : v.ok ? pill('warn', v.status === 'empty' ? 'empty' : 'unanchored tail') : pill('bad', `${v.findings.length} finding(s)`)],
    ['Anchored', v.anchored_size > 0 ? `records 0 to ${h(v.anchored_size - 1)}, by ${h(v.anchored_by ?? '')}` : '<span class="pill warn">none</span> no record is covered by a signed checkpoint'],
    ['Scope', 'The whole log, whatever the report period'],
    ['Log', text(m.log.name)],
    ['Records', text(v.size)],
    ['Head (digest of the last record)', code(v.head)],
    ['Stores', m.log.stores.map((s) => code(s)).join('<br>')],
    [
      'Checkpoint',
      v.checkpoint
        ? `Verified against the signed checkpoint at size ${h(v.checkpoint.size)}, head ${code(v.checkpoint.head)}, signed ${h(v.checkpoint.time)}${v.checkpoint.kid ? `, key id ${code(v.checkpoint.kid)}` : ''}`
        : v.checkpoint_keys.length
          ? '<span class="pill bad">none verified</span> No checkpoint verified against the key given.'
          : '<span class="muted">No checkpoint key given: checkpoints not used (truncation of the tail would not show).</span>',
    ],
    ['Checkpoint key thumbprints', v.checkpoint_keys.length ? v.checkpoint_keys.map((k) => code(k)).join('<br>') : text(null)],
  ];
  if (v.superseded) rows.push(['Race losers (information)', `${h(v.superseded)} later version(s) written by writers that lost a race; not findings`]);
  const findings = v.findings.length
    ? `<h4>Findings</h4><table><thead><tr><th>Kind</th><th>Record</th><th>What was found</th><th>Store</th></tr></thead><tbody>${v.findings
        .map((f) => `<tr class="finding"><td>${h(f.kind)}</td><td>${h(f.seq)}</td><td>${h(f.message)}</td><td>${text(f.store)}</td></tr>`)
        .join('')}</tbody></table>`
    : '';
  return `<section id="verification"><h2>Verification of the audit log</h2><table class="facts"><tbody>${rows
    .map(([k, val]) => `<tr><th>${h(k)}</th><td>${val}</td></tr>`)
    .join('')}</tbody></table>${findings}</section>`;
}

function overview(m: ReportModel): string {
  const s = m.summary;
  const cards = [
    [s.releases, 'model releases in the period'],
    [s.approvers, 'distinct approvers'],
    [s.approvals, 'verified approvals'],
    [s.deployments, 'deployment decisions'],
    [s.records_in_period, `records in the period (of ${s.records_total})`],
  ];
  const table = m.releases.length
    ? `<table><thead><tr><th>Record</th><th>Released (UTC)</th><th>Model</th><th>Model digest</th><th>Approvers</th><th>Gate</th><th>Deployment</th></tr></thead><tbody>${m.releases
        .map(
          (r) =>
            `<tr><td><a href="#release-${r.seq}">${h(r.seq)}</a></td><td>${h(r.time)}</td><td>${text(r.model.path)}</td><td>${code(shortDigest(r.model.digest))}</td><td>${
              r.approvers.length ? r.approvers.map((a) => h(a.login)).join(', ') : '<span class="muted">none</span>'
            }</td><td>${gatePill(r.gate)}</td><td>${deployPill(r.deployed)}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '<p class="muted">No model release in the period.</p>';
  return `<section id="overview"><h2>Releases in the period</h2><div class="cards">${cards
    .map(([n, l]) => `<div class="card"><div class="n">${h(n)}</div><div class="l">${h(l)}</div></div>`)
    .join('')}</div>${table}</section>`;
}

/**
 * Control texts mark commands as `code`, the way the Markdown report shows
 * them; in HTML they become <code> (escaped first, so nothing else is markup).
 */
function withCode(text: string): string {
  return h(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function controls(m: ReportModel): string {
  return `<section id="controls"><h2>Controls and the evidence in the log</h2><p class="muted">Each control is shown with the rules it is commonly mapped to and what the log shows about it. This report does not certify compliance.</p><table class="controls"><colgroup><col style="width:18%"><col style="width:13%"><col style="width:14%"><col style="width:33%"><col style="width:22%"></colgroup><thead><tr><th>Control</th><th>Commonly mapped to</th><th>Status</th><th>What the log shows</th><th>Limits</th></tr></thead><tbody>${m.controls
    .map((c) => {
      const [kind, label] = STATUS_TEXT[c.status];
      return `<tr id="control-${h(c.id)}"><td><strong>${h(c.control)}</strong></td><td>${c.rules.map(h).join('<br>')}</td><td>${pill(kind, label)}</td><td><ul class="tight">${c.evidence
        .map((e) => `<li>${withCode(e)}</li>`)
        .join('')}</ul></td><td class="muted"><ul class="tight">${c.limits.map((e) => `<li>${withCode(e)}</li>`).join('')}</ul></td></tr>`;
    })
    .join('')}</tbody></table></section>`;
}

function release(r: ReportRelease): string {
  const facts: Array<[string, string]> = [
    ['Model', `${text(r.model.path)}<br>${code(r.model.digest)}`],
    ['Lineage (metadata.json)', r.metadata ? `${text(r.metadata.path)}<br>${code(r.metadata.digest)}${r.metadata_file ? `<br><span class="muted">datasets' rows and files read from ${h(r.metadata_file)}, whose SHA-256 matches this digest</span>` : ''}` : text(null)],
    ['Reproducibility digest', code(r.reproducibility_digest)],
    ['Released by', `${h(r.actor)} <span class="muted">via ${h(r.component)}</span>`],
    ['Release record', `record ${h(r.seq)} at ${h(r.time)}<br>${code(r.record_digest)}`],
  ];
  if (r.run) {
    const runLabel = [r.run.repository, r.run.workflow, r.run.run_id ? `run ${r.run.run_id}` : null].filter(Boolean).join(' · ') || 'run';
    facts.push(['Training / release run', `${link(runLabel, r.run.url)}${r.run.commit ? `<br>commit ${code(r.run.commit)}` : ''}`]);
  }
  const datasets = r.datasets.length
    ? `<table><thead><tr><th>Dataset</th><th>Role</th><th>Digest</th><th>Rows</th><th>Files</th></tr></thead><tbody>${r.datasets
        .map((d) => `<tr><td>${h(d.name)}</td><td>${text(d.role)}</td><td>${code(d.digest)}</td><td>${text(d.rows)}</td><td>${text(d.files)}</td></tr>`)
        .join('')}</tbody></table>${r.datasets.some((d) => d.rows === null && d.files === null) && !r.metadata_file ? '<p class="muted">Rows and files are shown where the release record carries them, or with <code>--metadata</code> given the release\'s metadata.json (checked against the digest in the log).</p>' : ''}`
    : '<p class="muted">The release record names no datasets.</p>';
  const approvals = r.approvals.length
    ? `<table><thead><tr><th>Approver</th><th>Role</th><th>Key fingerprint</th><th>Pull request / head</th><th>Recorded</th></tr></thead><tbody>${r.approvals
        .map(
          (a) =>
            `<tr><td>${h(a.login)}${a.user_id !== null ? ` <span class="muted">(id ${h(a.user_id)})</span>` : ''}</td><td>${text(a.role)}</td><td>${a.key_fingerprint ? code(a.key_fingerprint) : pill('warn', 'unsigned')}</td><td>${
              a.pull_request !== null ? `#${h(a.pull_request)}` : '—'
            }${a.head_sha ? ` at ${code(a.head_sha.slice(0, 12))}` : ''}</td><td>record ${h(a.seq)}<br>${h(a.time)}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '<p class="muted">No verified approval in the log names this model or its metadata.json.</p>';
  const verdicts = r.verdicts.length
    ? `<table><thead><tr><th>Verdict</th><th>Roles filled</th><th>Reasons</th><th>Recorded</th></tr></thead><tbody>${r.verdicts
        .map(
          (v) =>
            `<tr><td>${gatePill(v.conclusion)}${v.pull_request !== null ? ` PR #${h(v.pull_request)}` : ''}</td><td>${
              v.roles.length
                ? v.roles
                    .map((x) => `${h(x.rule ? `${x.rule}/${x.role}` : x.role)}: ${x.filled_by.length ? x.filled_by.map((f) => h(f.login)).join(', ') : '<span class="muted">unfilled</span>'}${x.required !== null ? ` <span class="muted">(${h(x.filled_by.length)}/${h(x.required)})</span>` : ''}`)
                    .join('<br>')
                : text(null)
            }</td><td>${v.reasons.length ? `<ul class="tight">${v.reasons.map((x) => `<li>${h(x)}</li>`).join('')}</ul>` : text(null)}</td><td>record ${h(v.seq)}<br>${h(v.time)}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '<p class="muted">No gate verdict in the log for this release.</p>';
  const changes = r.change_requests.length
    ? `<table><thead><tr><th>Change</th><th>System</th><th>State</th><th>Approval</th><th>Recorded</th></tr></thead><tbody>${r.change_requests
        .map((c) => `<tr><td>${link(c.number ?? '(no number)', c.url)}</td><td>${text(c.system)}</td><td>${text(changeStateText(c.state))}</td><td>${text(c.approval)}</td><td>record ${h(c.seq)}<br>${h(c.time)}</td></tr>`)
        .join('')}</tbody></table>`
    : '<p class="muted">No change request record for this release.</p>';
  const deployments = r.deployments.length
    ? `<table><thead><tr><th>Environment</th><th>Decision</th><th>Reason</th><th>Change</th><th>Recorded</th></tr></thead><tbody>${r.deployments
        .map((d) => `<tr><td>${text(d.environment)}</td><td>${deployPill(d.decision)}</td><td>${text(d.reason)}</td><td>${text(d.change_number)}</td><td>record ${h(d.seq)} by ${h(d.actor)}<br>${h(d.time)}</td></tr>`)
        .join('')}</tbody></table>`
    : '<p class="muted">No deployment decision for this release.</p>';
  const title = `Lineage of ${r.model.path ?? r.model.digest}: datasets, training run, model, approvals, deployment`;
  return `<article class="release" id="release-${r.seq}"><header><h3>${h(r.model.path ?? 'Model')} <span class="muted">· release record ${h(r.seq)}</span></h3><div>${gatePill(r.gate)} ${deployPill(r.deployed)}</div></header>
<div class="graph">${renderSvgGraph(r.graph, `g${r.seq}`, title)}</div>
<table class="facts"><tbody>${facts.map(([k, val]) => `<tr><th>${h(k)}</th><td>${val}</td></tr>`).join('')}</tbody></table>
<h4>Datasets</h4>${datasets}<h4>Approvals</h4>${approvals}<h4>Gate verdicts</h4>${verdicts}<h4>Change requests</h4>${changes}<h4>Deployment decisions</h4>${deployments}</article>`;
}

function recordRows(rows: ReportModel['unlinked']): string {
  return `<table><thead><tr><th>Record</th><th>Time</th><th>Event type</th><th>Actor</th><th>Action</th><th>Subjects</th></tr></thead><tbody>${rows
    .map((x) => `<tr><td>${h(x.seq)}</td><td>${h(x.time)}</td><td>${h(x.event_type)}</td><td>${h(x.actor)}</td><td>${h(x.action)}</td><td>${x.subject.map((s) => code(shortDigest(s))).join('<br>')}</td></tr>`)
    .join('')}</tbody></table>`;
}

function appendix(m: ReportModel): string {
  const parts: string[] = [];
  if (m.unlinked.length) {
    parts.push(`<h3>Records that name no release in the log</h3><p class="muted">Approvals, verdicts, change requests and deployment decisions in the period whose subjects match no MODEL_RELEASE record.</p>${recordRows(m.unlinked)}`);
  }
  for (const u of m.appendix.unknown_event_types) {
    parts.push(`<h3>Event type ${h(u.event_type)} <span class="muted">(${h(u.records.length)} record(s), not interpreted by this report)</span></h3>${recordRows(u.records)}`);
  }
  if (m.appendix.unreadable.length) {
    parts.push(`<h3>Entries that are not valid records</h3><table><thead><tr><th>Entry</th><th>Digest</th><th>Why</th></tr></thead><tbody>${m.appendix.unreadable
      .map((x) => `<tr><td>${h(x.seq)}</td><td>${code(x.digest)}</td><td>${h(x.reason)}</td></tr>`)
      .join('')}</tbody></table>`);
  }
  if (parts.length === 0) parts.push('<p class="muted">Every record in the period is of a type this report interprets and names a release.</p>');
  return `<section id="appendix"><h2>Appendix: other records</h2>${parts.join('')}</section>`;
}

/** Renders the report as one self-contained HTML document (pure). */
export function renderHtml(m: ReportModel): string {
  const name = m.log.name ?? 'audit log';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="model-release-gate">
<title>Model release compliance report: ${h(name)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${banner(m)}
<h1>Model release compliance report</h1>
<p class="meta">Log <strong>${h(name)}</strong> · period: ${h(periodText(m))}${m.generated_at ? ` · generated ${h(m.generated_at)}` : ''} · format ${h(m.format)}</p>
${verificationSection(m)}
${overview(m)}
${controls(m)}
<section id="releases"><h2>Release details</h2>${m.releases.length ? m.releases.map(release).join('\n') : '<p class="muted">No model release in the period.</p>'}</section>
${appendix(m)}
<footer><p><strong>${h(m.disclaimer)}</strong></p><p>Generated by model-release-gate from the audit log's records; every digest is SHA-256 in <code>sha256:&lt;hex&gt;</code> notation and can be checked with <code>sha256sum</code>.</p></footer>
</main>
</body>
</html>
`;
}
