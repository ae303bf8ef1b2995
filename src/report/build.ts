/**
 * `buildReport`: the log's entries and its verification in, the report model
 * out. Pure (no I/O, no clock), so the CLI, a job summary and property tests
 * share it.
 *
 * Joining: a MODEL_RELEASE record's subjects are the model digest and the
 * metadata.json digest. Every APPROVAL_VERIFIED, GATE_VERDICT, CHANGE_REQUEST
 * and DEPLOYMENT_DECISION record whose subjects name either digest belongs to
 * that release (the App's records name the artifacts' digests and the
 * metadata.json digest, docs/design.md §4), whatever their order in the log.
 *
 * Period: a release is in the period when its MODEL_RELEASE record, or one of
 * its deployment decisions, falls in [since, until); a release shows all its
 * joined records, so its story is complete even when an approval came before
 * the period began. Verification always covers the whole log.
 */
import { MODEL_RELEASE, CHANGE_REQUEST, DEPLOYMENT_DECISION, APPROVAL_VERIFIED, GATE_VERDICT, type AuditRecord } from '../audit/index.js';
import { controlEvidence } from './controls.js';
import { lineageGraph } from './graph.js';
import {
  DISCLAIMER,
  REPORT_FORMAT,
  type LogEntry,
  type LogVerification,
  type ReportApproval,
  type ReportChange,
  type ReportDeployment,
  type ReportModel,
  type ReportOptions,
  type ReportRelease,
  type ReportVerdict,
  type UnlinkedRecord,
} from './model.js';
import { inPeriod } from './period.js';
import { arr, changeRef, mergeDatasets, metadataDatasets, num, obj, releaseDatasets, releaseMetadata, releaseModel, releaseRun, str } from './read-record.js';

/** Written by the GitHub App (builders in src/audit/gate-records.ts); re-exported for the report's readers. */
export { APPROVAL_VERIFIED, GATE_VERDICT };

/** The event types this report interprets; any other is listed in the appendix. */
export const KNOWN_EVENT_TYPES: readonly string[] = [MODEL_RELEASE, APPROVAL_VERIFIED, GATE_VERDICT, CHANGE_REQUEST, DEPLOYMENT_DECISION];

type Entry = { seq: number; digest: string; record: AuditRecord };

const brief = (e: Entry): UnlinkedRecord => ({
  seq: e.seq,
  time: e.record.time,
  event_type: e.record.event_type,
  actor: e.record.actor,
  action: e.record.action,
  subject: e.record.subject,
});

/** One record as a report item: its seq and time first, what matched it to the release last (the JSON report's key order). */
const item = <T extends object>(e: Entry, matched: string[], fields: T): { seq: number; time: string } & T & { matched_by: string[] } => ({
  seq: e.seq,
  time: e.record.time,
  ...fields,
  matched_by: matched,
});

function approvalOf(e: Entry, matched: string[]): ReportApproval {
  const d = e.record.details;
  const approver = obj(d.approver);
  const statement = obj(d.statement);
  const fingerprint = str(d.key_fingerprint);
  return item(e, matched, {
    login: str(approver?.login) ?? e.record.actor,
    user_id: num(approver?.id),
    role: str(d.role) ?? str(statement?.role),
    key_fingerprint: fingerprint,
    statement_digest: e.record.subject[0] ?? null,
    signed: fingerprint !== null || str(d.signature) !== null,
    repository: str(d.repository) ?? str(statement?.repository),
    pull_request: num(d.pull_request) ?? num(statement?.pull_request),
    head_sha: str(d.head_sha) ?? str(statement?.head_sha),
  });
}

function verdictOf(e: Entry, matched: string[]): ReportVerdict {
  const d = e.record.details;
  return item(e, matched, {
    conclusion: str(d.conclusion) ?? (e.record.action === 'pass' ? 'success' : e.record.action === 'fail' ? 'failure' : e.record.action),
    previous_conclusion: str(d.previous_conclusion),
    pull_request: num(d.pull_request),
    head_sha: str(d.head_sha),
    roles: arr(d.roles).flatMap((x) => {
      const r = obj(x);
      if (!r) return [];
      return [{
        rule: str(r.rule),
        role: str(r.role) ?? '(role)',
        required: num(r.required),
        filled_by: arr(r.filled_by).flatMap((f) => {
          const o = obj(f);
          const login = str(o?.login);
          return login ? [{ login, key_fingerprint: str(o?.key_fingerprint) }] : [];
        }),
      }];
    }),
    reasons: arr(d.reasons).flatMap((x) => (typeof x === 'string' ? [x] : [])),
  });
}

function changeOf(e: Entry, matched: string[]): ReportChange {
  const d = e.record.details;
  const c = changeRef(d.change);
  return item(e, matched, {
    system: c?.system ?? null,
    number: c?.number ?? null,
    url: c?.url ?? null,
    state: c?.state ?? null,
    approval: c?.approval ?? null,
    created: typeof d.created === 'boolean' ? d.created : null,
  });
}

function deploymentOf(e: Entry, matched: string[]): ReportDeployment {
  const d = e.record.details;
  return item(e, matched, {
    environment: str(d.environment),
    decision: str(d.decision) ?? e.record.action,
    reason: str(d.reason),
    actor: e.record.actor,
    change_number: changeRef(d.change)?.number ?? null,
    deployment_id: str(d.deployment_id),
  });
}

/** Builds the report model (pure). */
export function buildReport(entries: readonly LogEntry[], verification: LogVerification, options: ReportOptions = {}): ReportModel {
  const period = { since: options.since ?? null, until: options.until ?? null };
  const sorted = [...entries].sort((a, b) => a.seq - b.seq);
  const records: Entry[] = sorted.filter((e): e is Entry => e.record !== null);
  const unreadable = sorted.flatMap((e) => (e.record === null ? [{ seq: e.seq, digest: e.digest, reason: e.error }] : []));

  // Releases and the digests that identify them.
  const releaseEntries = records.filter((e) => e.record.event_type === MODEL_RELEASE);
  const byDigest = new Map<string, Array<{ index: number; as: string }>>();
  const keys = releaseEntries.map((e, index) => {
    const model = releaseModel(e.record);
    const metadata = releaseMetadata(e.record);
    const k: Array<[string, string]> = [[model.digest, 'model']];
    if (metadata) k.push([metadata.digest, 'metadata']);
    for (const [digest, as] of k) {
      const list = byDigest.get(digest) ?? [];
      list.push({ index, as });
      byDigest.set(digest, list);
    }
    return { model, metadata };
  });

  const joined = releaseEntries.map(() => ({
    approvals: [] as ReportApproval[],
    verdicts: [] as ReportVerdict[],
    changes: [] as ReportChange[],
    deployments: [] as ReportDeployment[],
  }));
  const linked = new Set<number>();
  for (const e of records) {
    const type = e.record.event_type;
    if (type === MODEL_RELEASE || !KNOWN_EVENT_TYPES.includes(type)) continue;
    const matches = new Map<number, Set<string>>();
    for (const d of e.record.subject) {
      for (const m of byDigest.get(d) ?? []) {
        const set = matches.get(m.index) ?? new Set<string>();
        set.add(m.as);
        matches.set(m.index, set);
      }
    }
    for (const [index, as] of matches) {
      linked.add(e.seq);
      const matched = [...as].sort((a, b) => (a === 'model' ? -1 : b === 'model' ? 1 : 0));
      const j = joined[index];
      if (type === APPROVAL_VERIFIED) j.approvals.push(approvalOf(e, matched));
      else if (type === GATE_VERDICT) j.verdicts.push(verdictOf(e, matched));
      else if (type === CHANGE_REQUEST) j.changes.push(changeOf(e, matched));
      else if (type === DEPLOYMENT_DECISION) j.deployments.push(deploymentOf(e, matched));
    }
  }

  const releases: ReportRelease[] = [];
  releaseEntries.forEach((e, index) => {
    const j = joined[index];
    const included = inPeriod(e.record.time, period) || j.deployments.some((d) => inPeriod(d.time, period));
    if (!included) return;
    const approvers: ReportRelease['approvers'] = [];
    for (const a of j.approvals) {
      let p = approvers.find((x) => x.login.toLowerCase() === a.login.toLowerCase());
      if (!p) approvers.push((p = { login: a.login, roles: [], key_fingerprints: [] }));
      if (a.role && !p.roles.includes(a.role)) p.roles.push(a.role);
      if (a.key_fingerprint && !p.key_fingerprints.includes(a.key_fingerprint)) p.key_fingerprints.push(a.key_fingerprint);
    }
    const metadataDigest = keys[index].metadata?.digest;
    const given = metadataDigest ? options.metadata?.find((m) => m.digest === metadataDigest) : undefined;
    const rel: Omit<ReportRelease, 'graph'> = {
      seq: e.seq,
      time: e.record.time,
      record_digest: e.digest,
      actor: e.record.actor,
      component: e.record.component,
      model: keys[index].model,
      metadata: keys[index].metadata,
      reproducibility_digest: str(e.record.details.reproducibility_digest),
      datasets: given ? mergeDatasets(releaseDatasets(e.record), metadataDatasets(given.doc)) : releaseDatasets(e.record),
      metadata_file: given?.file ?? null,
      run: releaseRun(e.record),
      approvals: j.approvals,
      verdicts: j.verdicts,
      change_requests: j.changes,
      deployments: j.deployments,
      approvers,
      gate: j.verdicts.length ? j.verdicts[j.verdicts.length - 1].conclusion : null,
      deployed: j.deployments.length ? j.deployments[j.deployments.length - 1].decision : null,
    };
    releases.push({ ...rel, graph: lineageGraph(rel) });
  });

  const inScope = records.filter((e) => inPeriod(e.record.time, period));
  const unlinked = inScope
    .filter((e) => e.record.event_type !== MODEL_RELEASE && KNOWN_EVENT_TYPES.includes(e.record.event_type) && !linked.has(e.seq))
    .map(brief);
  const unknown = new Map<string, UnlinkedRecord[]>();
  for (const e of inScope) {
    if (KNOWN_EVENT_TYPES.includes(e.record.event_type)) continue;
    const list = unknown.get(e.record.event_type) ?? [];
    list.push(brief(e));
    unknown.set(e.record.event_type, list);
  }

  const v = verification;
  const model: Omit<ReportModel, 'controls'> = {
    format: REPORT_FORMAT,
    ...(options.generatedAt ? { generated_at: options.generatedAt } : {}),
    period,
    log: { name: v.log, size: v.size, head: v.head, stores: v.stores.map((s) => s.store) },
    verification: {
      ok: v.ok,
      status: v.status,
      anchored_size: v.anchored_size,
      anchored_by: v.anchored_by,
      scope: 'whole-log',
      size: v.size,
      head: v.head,
      from: v.from,
      findings: v.findings,
      superseded: v.superseded.length,
      checkpoint_keys: v.checkpoint_keys,
      checkpoint: v.checkpoint,
      stores: v.stores.map((s) => ({ store: s.store, size: s.size, head: s.head, anchored_size: s.anchored_size, checkpoints: s.checkpoints })),
    },
    summary: {
      releases: releases.length,
      approvals: releases.reduce((n, r) => n + r.approvals.length, 0),
      approvers: new Set(releases.flatMap((r) => r.approvers.map((a) => a.login.toLowerCase()))).size,
      deployments: releases.reduce((n, r) => n + r.deployments.length, 0),
      records_in_period: inScope.length,
      records_total: v.size,
    },
    releases,
    unlinked,
    appendix: {
      unknown_event_types: [...unknown].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([event_type, recs]) => ({ event_type, records: recs })),
      unreadable,
    },
    disclaimer: DISCLAIMER,
  };
  const controls = controlEvidence(model, v.retention);
  // Field order is the JSON's: verification and controls before the details.
  const { releases: rel, unlinked: unl, appendix, disclaimer, ...head } = model;
  return { ...head, controls, releases: rel, unlinked: unl, appendix, disclaimer };
}
