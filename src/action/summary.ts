import type { LineageMetadata } from '../lineage/metadata-types.js';
import type { Finding } from '../audit/findings.js';
import type { VerifyResult } from '../lineage/verify-compare.js';

/** Markdown table cell text: pipes and newlines would break the table. */
function cell(text: string | number | undefined): string {
  return text === undefined ? '' : String(text).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Bytes in binary units, for people. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[u]}`;
}

export interface ReleaseSummaryInput {
  metadata: LineageMetadata;
  metadataPath: string;
  metadataDigest: string;
  totalBytes: number;
  elapsedMs: number;
  audit?: {
    seq: number;
    digest: string;
    stores: string[];
    checkpoint?: { key: string; size: number };
    /** The release's tlog-proof receipt: where it was written, the log's verifier key, and its text. */
    proof?: { path: string; vkey: string; text: string };
  };
  pullRequest?: { number: number; url: string; created: boolean };
}

/** The job summary of a release: model, each dataset, throughput, audit record. */
export function releaseSummary(s: ReleaseSummaryInput): string {
  const m = s.metadata;
  const rows = [
    '| artifact | role | digest | size | rows |',
    '| --- | --- | --- | ---: | ---: |',
    `| \`${cell(m.model.path)}\` | model | \`${m.model.digest}\` | ${formatBytes(m.model.size)} | |`,
    ...m.datasets.map(
      (d) =>
        `| \`${cell(d.path)}\` | ${d.role} | \`${d.digest}\` | ${formatBytes(d.size)} | ${cell(d.rows)} |`,
    ),
  ];
  const seconds = s.elapsedMs / 1000;
  const rate = seconds > 0 ? `${formatBytes(Math.round(s.totalBytes / seconds))}/s` : 'n/a';
  const out = [
    '## Model lineage',
    '',
    ...rows,
    '',
    `Hashed ${formatBytes(s.totalBytes)} in ${seconds.toFixed(2)} s (${rate}).`,
    '',
    `- metadata: \`${cell(s.metadataPath)}\` \`${s.metadataDigest}\``,
    `- reproducibility digest: \`${m.reproducibility_digest}\``,
  ];
  if (s.audit) {
    out.push(
      '',
      '## Audit record',
      '',
      `Appended record **${s.audit.seq}** \`${s.audit.digest}\` to ${s.audit.stores.map((u) => `\`${cell(u)}\``).join(', ')}.`,
    );
    if (s.audit.checkpoint) {
      out.push(`Signed checkpoint at size ${s.audit.checkpoint.size}: \`${cell(s.audit.checkpoint.key)}\`.`);
    }
    if (s.audit.proof) {
      out.push(
        '',
        `Receipt (c2sp.org/tlog-proof@v1) in \`${cell(s.audit.proof.path)}\`; check it offline with \`model-gate audit check-proof ${cell(s.audit.proof.path)} --record RECORD.json --key '${s.audit.proof.vkey}'\`:`,
        '',
        '```',
        s.audit.proof.text.trimEnd(),
        '```',
      );
    }
  }
  if (s.pullRequest) {
    out.push('', `Release pull request [#${s.pullRequest.number}](${s.pullRequest.url}) ${s.pullRequest.created ? 'opened' : 'updated'}.`);
  }
  return `${out.join('\n')}\n`;
}

export interface AuditSummaryInput {
  ok: boolean;
  /** `intact` only when every record is anchored by a checkpoint (verifyLog's status). */
  status: 'intact' | 'unanchored-tail' | 'empty' | 'findings';
  anchored_size: number;
  anchored_by: string | null;
  size: number;
  head: string | null;
  stores: string[];
  findings: Finding[];
}

/** The job summary of an audit verification. */
export function auditSummary(s: AuditSummaryInput): string {
  const head = s.head ? `\`${s.head}\`` : '(empty log)';
  const out = [
    '## Audit log verification',
    '',
    !s.ok
      ? `**${s.findings.length} finding(s)** in ${s.size} record(s).`
      : s.status === 'intact'
        ? `**Intact**: ${s.size} record(s), head ${head}, anchored by ${s.anchored_by}.`
        : s.size === 0
          ? '**Empty**: the log holds no record.'
          : `**Unanchored tail**: the chain of ${s.size} record(s) verified (head ${head}), but records ${s.anchored_size} to ${s.size - 1} are covered by no signed checkpoint: an edit or a cut there cannot be detected.${s.anchored_size ? ` Records 0 to ${s.anchored_size - 1} are anchored by ${s.anchored_by}.` : ' Pass `checkpoint-public-key`, and sign a checkpoint after each append (`checkpoint-key`).'}`,
    '',
    `Stores: ${s.stores.map((u) => `\`${cell(u)}\``).join(', ')}`,
  ];
  if (s.findings.length > 0) {
    out.push('', '| kind | seq | message |', '| --- | ---: | --- |');
    for (const f of s.findings) out.push(`| ${f.kind} | ${cell(f.seq ?? '')} | ${cell(f.message)} |`);
  }
  return `${out.join('\n')}\n`;
}

/** The job summary of a lineage re-check: every mismatch down to the file. */
export function lineageVerifySummary(file: string, result: VerifyResult): string {
  if (result.ok) return `## Lineage verified\n\nEvery digest in \`${cell(file)}\` matches.\n`;
  const out = [
    '## Lineage mismatch',
    '',
    `${result.mismatches.length} difference(s) between \`${cell(file)}\` and the bytes on disk:`,
    '',
    '| subject | path | file | change | expected | actual |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const m of result.mismatches) {
    out.push(
      `| ${m.subject} | \`${cell(m.path)}\` | ${m.file ? `\`${cell(m.file)}\`` : ''} | ${m.change} | ${cell(m.expected)} | ${cell(m.actual)} |`,
    );
  }
  return `${out.join('\n')}\n`;
}
