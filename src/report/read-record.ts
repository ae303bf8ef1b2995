/**
 * Tolerant readers of the `details` of the records the report interprets.
 * The log holds records written by several fronts and versions; a report must
 * show what a record holds and never fail on a field it does not find, so
 * every reader returns null for anything missing or of another type.
 */
import type { AuditRecord, JsonValue } from '../audit/index.js';
import type { ReportDataset } from './model.js';

export type Obj = { [k: string]: JsonValue };

export const obj = (v: JsonValue | undefined): Obj | null =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? v : null;
export const str = (v: JsonValue | undefined): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
export const num = (v: JsonValue | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
export const arr = (v: JsonValue | undefined): JsonValue[] => (Array.isArray(v) ? v : []);

/** The model path from a MODEL_RELEASE record: `details.model.path` (null when the record names none). */
export function releaseModel(r: AuditRecord): { path: string | null; digest: string } {
  const m = obj(r.details.model);
  // Only the record's own model path: the action is free text anyone can type
  // ("release prod-model" would otherwise name a model that was never recorded).
  return { path: str(m?.path), digest: str(m?.digest) ?? r.subject[0] ?? '' };
}

/** The metadata.json named by a MODEL_RELEASE record: `details.metadata`, else its second subject. */
export function releaseMetadata(r: AuditRecord): { path: string | null; digest: string } | null {
  const m = obj(r.details.metadata);
  const digest = str(m?.digest) ?? r.subject[1] ?? null;
  return digest ? { path: str(m?.path), digest } : null;
}

export function releaseDatasets(r: AuditRecord): ReportDataset[] {
  return arr(r.details.datasets).flatMap((d) => {
    const o = obj(d);
    if (!o) return [];
    return [{
      name: str(o.name) ?? str(o.path) ?? '(unnamed)',
      role: str(o.role),
      digest: str(o.digest),
      rows: num(o.rows),
      files: num(o.files),
    }];
  });
}

export function releaseRun(r: AuditRecord): { repository: string | null; commit: string | null; workflow: string | null; run_id: string | null; url: string | null } | null {
  const run = obj(r.details.run);
  if (!run) return null;
  return { repository: str(run.repository), commit: str(run.commit), workflow: str(run.workflow), run_id: str(run.run_id), url: str(run.url) };
}

/** A change reference as CHANGE_REQUEST and DEPLOYMENT_DECISION records hold it. */
export function changeRef(v: JsonValue | undefined): { system: string | null; number: string | null; url: string | null; state: string | null; approval: string | null } | null {
  const c = obj(v);
  if (!c) return null;
  return { system: str(c.system), number: str(c.number), url: str(c.url), state: str(c.state) ?? (num(c.state)?.toString() ?? null), approval: str(c.approval) };
}

/**
 * Datasets from a metadata.json (docs/design.md §4) whose digest the log vouches
 * for: rows where the format allows, files (1 for a file, the manifest's
 * length for a directory).
 */
export function metadataDatasets(doc: unknown): ReportDataset[] {
  const root = obj(doc as JsonValue);
  return arr(root?.datasets).flatMap((d) => {
    const o = obj(d);
    if (!o) return [];
    const files = Array.isArray(o.files) ? o.files.length : o.type === 'file' ? 1 : null;
    return [{ name: str(o.name) ?? str(o.path) ?? '(unnamed)', role: str(o.role), digest: str(o.digest), rows: num(o.rows), files }];
  });
}

/** The record's datasets, with rows and files filled in from a vouched-for metadata.json (matched by digest). */
export function mergeDatasets(fromRecord: ReportDataset[], fromMetadata: ReportDataset[]): ReportDataset[] {
  if (fromRecord.length === 0) return fromMetadata;
  return fromRecord.map((d) => {
    const m = fromMetadata.find((x) => x.digest !== null && x.digest === d.digest);
    return m ? { ...d, rows: d.rows ?? m.rows, files: d.files ?? m.files } : d;
  });
}
