/**
 * The control-to-evidence section: for each control an auditor asks about,
 * the rules it is commonly mapped to, what the log shows, and what it cannot
 * show. Sentences state evidence ("The log shows ..."), never compliance:
 * whether a control satisfies a rule is the firm's and its auditors' call.
 */
import type { ControlEvidence, ControlStatus, ReportModel, StoreRetention } from './model.js';

type Partial = Omit<ReportModel, 'controls'>;

/** Each control's name and the rules it is commonly mapped to, in the order the report shows them. */
const CONTROLS = {
  'worm-retention': { control: 'Records kept in non-rewriteable, non-erasable (WORM) storage for the retention period', rules: ['SEC Rule 17a-4(f)', 'FINRA Rule 4511', 'CFTC Rule 1.31'] },
  'record-integrity': { control: 'Tamper-evident record: hash chain and signed checkpoints', rules: ['SEC Rule 17a-4(f)', 'CFTC Rule 1.31'] },
  'two-person-approval': { control: 'Independent two-person (four-eyes) approval of every model release', rules: ['SR 11-7 (Federal Reserve / OCC model risk management guidance)'] },
  'model-inventory': { control: 'Model inventory: each released model identified with its data and lineage', rules: ['SR 11-7 (Federal Reserve / OCC model risk management guidance)'] },
  'change-management': { control: 'Change management: production changes authorised through an approved change request', rules: ['SOX IT general controls (change management)'] },
  'record-keeping': { control: 'Records of model releases, approvals and deployments kept and retrievable', rules: ['MiFID II Article 16(6) (record keeping)'] },
} as const satisfies Record<string, { control: string; rules: readonly string[] }>;

const control = (id: keyof typeof CONTROLS): Pick<ControlEvidence, 'id' | 'control' | 'rules'> => ({
  id,
  control: CONTROLS[id].control,
  rules: [...CONTROLS[id].rules],
});

/** A control's evidence as the report shows it. */
const evidenceOf = (id: keyof typeof CONTROLS, status: ControlStatus, evidence: string[], limits: string[]): ControlEvidence => ({
  ...control(id),
  status,
  evidence,
  limits,
});

/** A release control in a period without releases. */
const noRelease = (id: keyof typeof CONTROLS): ControlEvidence => evidenceOf(id, 'not-applicable', ['The period holds no model release.'], []);

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
const list = (items: string[], max = 8): string =>
  items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;

function wormRetention(m: Partial, retention: StoreRetention[]): ControlEvidence {
  const notLocked = m.verification.findings.filter((f) => f.kind === 'not-locked');
  const s3 = retention.filter((r) => r.retention_days !== null);
  const other = retention.filter((r) => r.retention_days === null);
  const evidence: string[] = [];
  for (const r of s3) {
    evidence.push(
      `Store ${r.store} is S3 with Object Lock: the verifier required every record to be under COMPLIANCE-mode retention for at least ${r.retention_days} days (about ${(Number(r.retention_days) / 365.25).toFixed(1)} years) from when it was written.`,
    );
  }
  for (const r of other) evidence.push(`Store ${r.store} is a ${r.kind} store: it has no write-once retention of its own, so the storage does not prevent deletion.`);
  if (notLocked.length) evidence.push(`The verifier found ${plural(notLocked.length, 'record')} not under the required retention (see the findings).`);
  else if (s3.length) evidence.push('The verifier found no record outside the required retention.');
  let status: ControlStatus;
  if (notLocked.length) status = 'evidence-contradicted';
  else if (s3.length && other.length === 0) status = 'evidence-present';
  else if (s3.length) status = 'evidence-partial';
  else status = 'evidence-absent';
  return evidenceOf('worm-retention', status, evidence, [
    'Retention is read from the object storage as configured; whether the storage system meets a rule\'s technical requirements (and any third-party undertaking the rule asks for) is outside the log.',
    'Redundant copies in other locations, indexing and the production of records to a regulator on request are not shown by the log.',
  ]);
}

function integrity(m: Partial): ControlEvidence {
  const v = m.verification;
  const evidence: string[] = [];
  if (v.ok) {
    evidence.push(`The whole log (${plural(v.size, 'record')}, head ${v.head ?? 'none'}) was verified: every record's digest matches the next record's link${v.stores.length > 1 ? ', and every store holds the same records' : ''}.`);
  } else {
    evidence.push(`Verification of the log found ${plural(v.findings.length, 'finding')}: the record has been altered, truncated or is incomplete (see the findings).`);
  }
  if (v.checkpoint) {
    evidence.push(`A signed checkpoint (size ${v.checkpoint.size}, head ${v.checkpoint.head}, signed ${v.checkpoint.time}) verified against the key given, so the log cannot have been cut back or its records up to ${v.checkpoint.size - 1} rewritten without this showing.`);
  } else if (v.checkpoint_keys.length) {
    evidence.push('No checkpoint verified against the key given.');
  } else {
    evidence.push('No checkpoint key was given, so checkpoints were not used.');
  }
  // Present only when every record is anchored: the chain alone cannot show an edit of the last record or a cut tail.
  let status: ControlStatus = 'evidence-present';
  if (!v.ok) status = 'evidence-contradicted';
  else if (v.status !== 'intact') status = 'evidence-partial';
  if (v.ok && v.size > 0 && v.anchored_size < v.size) {
    evidence.push(`Records ${v.anchored_size} to ${v.size - 1} are covered by no signed checkpoint${v.anchored_size ? ` (records up to ${v.anchored_size - 1} are anchored by ${v.anchored_by})` : ''}: an edit of the last of them, or a cut of the tail, would not show.`);
  }
  return evidenceOf('record-integrity', status, evidence, [
    'Without a checkpoint (or a known minimum size) a truncated log, or an edit to its last record, cannot be detected from the log alone.',
    'A checkpoint proves only what its key holder signed: keep the key apart from the people who write the log.',
  ]);
}

function twoPerson(m: Partial): ControlEvidence {
  const rel = m.releases;
  if (rel.length === 0) return noRelease('two-person-approval');
  const name = (r: (typeof rel)[number]): string => `${r.model.path ?? r.model.digest} (record ${r.seq})`;
  const two = rel.filter((r) => r.approvers.length >= 2);
  const fewer = rel.filter((r) => r.approvers.length < 2);
  const signed = rel.filter((r) => r.approvals.length > 0 && r.approvals.every((a) => a.signed));
  const deployedShort = fewer.filter((r) => r.deployments.some((d) => d.decision === 'approved'));
  const evidence = [`The log shows ${plural(two.length, 'release')} of ${rel.length} with verified approvals by two or more distinct people.`];
  if (fewer.length) evidence.push(`Fewer than two verified approvers: ${list(fewer.map(name))}.`);
  evidence.push(`Releases whose every approval is signed (key fingerprints in the release details): ${signed.length} of ${rel.length}.`);
  if (deployedShort.length) evidence.push(`Deployment was allowed for ${list(deployedShort.map(name))} with fewer than two verified approvers in the log.`);
  return evidenceOf('two-person-approval', deployedShort.length ? 'evidence-contradicted' : fewer.length === 0 ? 'evidence-present' : two.length ? 'evidence-partial' : 'evidence-absent', evidence, [
    'The log shows who approved and that their signatures verified; whether the approvers were independent of the model\'s development and competent to challenge it is for the firm to show.',
    'Approvals made outside the gate (e.g. in a model risk committee) are not in this log.',
  ]);
}

function inventory(m: Partial): ControlEvidence {
  const rel = m.releases;
  if (rel.length === 0) return noRelease('model-inventory');
  const complete = rel.filter((r) => r.metadata && r.datasets.length > 0 && r.reproducibility_digest);
  const incomplete = rel.filter((r) => !complete.includes(r));
  const evidence = [
    `The log shows ${plural(rel.length, 'model release')} in the period, each identified by its model file's SHA-256 digest.`,
    `Releases whose record also names their metadata.json, every dataset's digest and a reproducibility digest: ${complete.length} of ${rel.length}.`,
  ];
  if (incomplete.length) evidence.push(`Without datasets or lineage in the record: ${list(incomplete.map((r) => `${r.model.path ?? r.model.digest} (record ${r.seq})`))}.`);
  return evidenceOf('model-inventory', incomplete.length === 0 ? 'evidence-present' : complete.length ? 'evidence-partial' : 'evidence-absent', evidence, [
    'The inventory covers models released through the gate; models deployed by other routes are not in this log.',
    'Digests identify the files; whether the files at hand still match is checked with `model-gate lineage verify`, not by this report.',
  ]);
}

function changeManagement(m: Partial): ControlEvidence {
  const rel = m.releases;
  const deployments = rel.flatMap((r) => r.deployments.map((d) => ({ r, d })));
  const allowed = deployments.filter((x) => x.d.decision === 'approved');
  const withChange = allowed.filter((x) => x.d.change_number !== null);
  const withoutChange = allowed.filter((x) => x.d.change_number === null);
  const failedGate = allowed.filter((x) => x.r.gate === 'failure');
  const notDeployed = rel.filter((r) => r.deployments.length === 0);
  const evidence: string[] = [];
  if (deployments.length === 0) {
    evidence.push('The log holds no deployment decision for the releases in the period.');
  } else {
    evidence.push(`The log shows ${plural(deployments.length, 'deployment decision')} (${allowed.length} allowed, ${deployments.length - allowed.length} refused or held).`);
    evidence.push(`Allowed deployments that cite a change request: ${withChange.length} of ${allowed.length}.`);
    if (withoutChange.length) evidence.push(`Allowed without a change request: ${list(withoutChange.map((x) => `${x.d.environment ?? 'deployment'} of ${x.r.model.path ?? x.r.model.digest} (record ${x.d.seq})`))}.`);
    if (failedGate.length) evidence.push(`Allowed although the release's latest gate verdict failed: ${list(failedGate.map((x) => `record ${x.d.seq}`))}.`);
  }
  if (notDeployed.length && rel.length) evidence.push(`Releases without a deployment record: ${notDeployed.length} of ${rel.length}.`);
  const changes = rel.reduce((n, r) => n + r.change_requests.length, 0);
  if (changes) evidence.push(`Change request records linking these releases to the change-management system: ${changes}.`);
  let status: ControlStatus;
  if (rel.length === 0) status = 'not-applicable';
  else if (failedGate.length) status = 'evidence-contradicted';
  else if (deployments.length === 0) status = 'evidence-absent';
  else if (withoutChange.length) status = withChange.length ? 'evidence-partial' : 'evidence-absent';
  else status = notDeployed.length ? 'evidence-partial' : 'evidence-present';
  return evidenceOf('change-management', status, evidence, [
    'The log shows the gate\'s decisions; deployments that bypassed the gate (or environments without it) leave no record here.',
    'The change request\'s own approval history lives in the change-management system; the report shows its number, state and approval as recorded.',
  ]);
}

function recordKeeping(m: Partial, retention: StoreRetention[]): ControlEvidence {
  const s3 = retention.filter((r) => r.retention_days !== null);
  const evidence = [
    `The log holds ${plural(m.summary.records_total, 'record')}, ${plural(m.summary.records_in_period, 'record')} in the period; each states its time, component, actor, action and the digests it concerns.`,
  ];
  if (m.appendix.unknown_event_types.length) evidence.push(`Records of ${plural(m.appendix.unknown_event_types.length, 'event type')} this report does not interpret are listed in the appendix.`);
  if (m.appendix.unreadable.length) evidence.push(`${plural(m.appendix.unreadable.length, 'entry', 'entries')} could not be read as records (appendix).`);
  if (s3.length) evidence.push(`Required retention: ${list(s3.map((r) => `${r.retention_days} days in ${r.store}`))}.`);
  const status: ControlStatus = !m.verification.ok ? 'evidence-contradicted' : s3.length ? 'evidence-present' : 'evidence-partial';
  return evidenceOf('record-keeping', status, evidence, [
    'The log records the release gate\'s events only; a firm\'s record-keeping obligations cover far more (orders, communications, client records).',
  ]);
}

/** The controls, in the order the report shows them. */
export function controlEvidence(m: Partial, retention: StoreRetention[]): ControlEvidence[] {
  return [wormRetention(m, retention), integrity(m), twoPerson(m), inventory(m), changeManagement(m), recordKeeping(m, retention)];
}
