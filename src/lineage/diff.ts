import { canonicalJson } from '../core/canonical-json.js';
import { compareManifests } from './verify-compare.js';
import type { DatasetRecord, LineageMetadata } from './metadata-types.js';

/** One difference between two lineage records. */
export interface LineageChange {
  /**
   * JSON Pointer-like location: `/model/digest`, `/hyperparameters/lr`,
   * `/datasets/training:train/digest`, `/datasets/training:train/files/a~1b.csv`,
   * `/environment/lockfiles/uv.lock`, `/environment/python_packages/numpy`.
   * Datasets are matched by role and name; `~` and `/` in keys are escaped as
   * `~0` and `~1`.
   */
  field: string;
  change: 'added' | 'removed' | 'changed';
  a?: unknown;
  b?: unknown;
}

export interface LineageDiff {
  same: boolean;
  changes: LineageChange[];
}

const esc = (k: string): string => k.replace(/~/g, '~0').replace(/\//g, '~1');
const eq = (x: unknown, y: unknown): boolean => canonicalJson(x ?? null) === canonicalJson(y ?? null);
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * What differs between two lineage records: model, datasets (and the files
 * inside directory datasets), hyperparameters, metrics, environment, source
 * and the reproducibility digest. `created_at` is ignored (it always differs).
 * Pure.
 */
export function diffLineage(a: LineageMetadata, b: LineageMetadata): LineageDiff {
  const changes: LineageChange[] = [];
  const push = (field: string, x: unknown, y: unknown): void => {
    if (x === undefined && y === undefined) return;
    if (x === undefined) changes.push({ field, change: 'added', b: y });
    else if (y === undefined) changes.push({ field, change: 'removed', a: x });
    else if (!eq(x, y)) changes.push({ field, change: 'changed', a: x, b: y });
  };
  for (const k of ['path', 'type', 'digest', 'size'] as const) push(`/model/${k}`, a.model[k], b.model[k]);
  manifestDiff(changes, push, '/model', a.model.files, b.model.files);

  const key = (d: DatasetRecord): string => `${d.role}:${d.name}`;
  const da = new Map(a.datasets.map((d) => [key(d), d]));
  const db = new Map(b.datasets.map((d) => [key(d), d]));
  for (const k of [...new Set([...da.keys(), ...db.keys()])]) {
    const x = da.get(k);
    const y = db.get(k);
    const at = `/datasets/${esc(k)}`;
    if (!x || !y) {
      push(at, x && summary(x), y && summary(y));
      continue;
    }
    for (const f of ['path', 'type', 'digest', 'size', 'rows', 'columns'] as const) push(`${at}/${f}`, x[f], y[f]);
    manifestDiff(changes, push, at, x.files, y.files);
  }

  objectDiff(push, '/hyperparameters', a.hyperparameters, b.hyperparameters);
  objectDiff(push, '/metrics', a.metrics, b.metrics);

  push('/environment/node', a.environment.node, b.environment.node);
  push('/environment/python', a.environment.python, b.environment.python);
  keyedDiff(push, '/environment/lockfiles', a.environment.lockfiles.map((l) => [l.path, l.digest]), b.environment.lockfiles.map((l) => [l.path, l.digest]));
  const pa = a.environment.python_packages;
  const pb = b.environment.python_packages;
  if (!pa || !pb) {
    // One side did not list packages at all: one change, not one per package.
    push('/environment/python_packages', pa && `${pa.length} packages`, pb && `${pb.length} packages`);
  } else {
    keyedDiff(
      push,
      '/environment/python_packages',
      (a.environment.python_packages ?? []).map((p) => [p.name, p.version]),
      (b.environment.python_packages ?? []).map((p) => [p.name, p.version]),
    );
  }
  const rma = a.environment.recording_machine;
  const rmb = b.environment.recording_machine;
  push('/environment/recording_machine/python', rma?.python, rmb?.python);
  push(
    '/environment/recording_machine/python_packages',
    rma?.python_packages && rma.python_packages.map((p) => `${p.name}==${p.version}`).join(' '),
    rmb?.python_packages && rmb.python_packages.map((p) => `${p.name}==${p.version}`).join(' '),
  );
  const sourceKeys = [
    'repository',
    'commit',
    'branch',
    'dirty',
    'uncommitted',
    'uncommitted_count',
    'workflow',
    'run_id',
    'run_attempt',
    'run_url',
    'actor',
    'triggering_actor',
  ] as const;
  for (const k of sourceKeys) push(`/source/${k}`, a.source[k], b.source[k]);
  push('/reproducibility_digest', a.reproducibility_digest, b.reproducibility_digest);
  return { same: changes.length === 0, changes };
}

function summary(d: DatasetRecord): Record<string, unknown> {
  return { path: d.path, type: d.type, digest: d.digest, size: d.size };
}

/**
 * File-by-file changes when both records hold a manifest; one change when
 * only one does (the other's files are unknown, not absent).
 */
function manifestDiff(
  changes: LineageChange[],
  push: (field: string, x: unknown, y: unknown) => void,
  at: string,
  a: Parameters<typeof compareManifests>[0] | undefined,
  b: Parameters<typeof compareManifests>[1] | undefined,
): void {
  if (a && b) filesDiff(changes, at, a, b);
  else push(`${at}/files`, a && `${a.length} files`, b && `${b.length} files`);
}

function filesDiff(
  changes: LineageChange[],
  at: string,
  a: Parameters<typeof compareManifests>[0],
  b: Parameters<typeof compareManifests>[1],
): void {
  for (const m of compareManifests(a, b)) {
    const change = m.change === 'modified' ? 'changed' : m.change === 'added' ? 'added' : 'removed';
    const entry: LineageChange = { field: `${at}/files/${esc(m.file!)}`, change };
    if (m.expected) entry.a = m.expected;
    if (m.actual) entry.b = m.actual;
    changes.push(entry);
  }
}

function objectDiff(
  push: (field: string, x: unknown, y: unknown) => void,
  at: string,
  a: Record<string, unknown>,
  b: Record<string, unknown>,
): void {
  for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const x = a[k];
    const y = b[k];
    if (isPlainObject(x) && isPlainObject(y)) objectDiff(push, `${at}/${esc(k)}`, x, y);
    else push(`${at}/${esc(k)}`, x, y);
  }
}

function keyedDiff(
  push: (field: string, x: unknown, y: unknown) => void,
  at: string,
  a: [string, string][],
  b: [string, string][],
): void {
  const ma = new Map(a);
  const mb = new Map(b);
  for (const k of [...new Set([...ma.keys(), ...mb.keys()])].sort()) push(`${at}/${esc(k)}`, ma.get(k), mb.get(k));
}
