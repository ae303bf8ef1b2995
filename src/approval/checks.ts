/**
 * Automated pre-approval checks of one rule (DESIGN.md §4): lineage metadata
 * beside every changed model, dataset roles present, the model digest equal
 * to the Git LFS pointer's oid, metric thresholds. A failing check fails the
 * gate whatever the approvals say: people sign off on a model that passed them.
 */
import picomatch from 'picomatch';
import { isDigest } from '../core/digest.js';
import { GLOB_OPTIONS } from './policy-parse.js';
import type { CheckVerdict, ChecksPolicy, MetricThreshold, PullRequestFacts, RulePolicy } from './types.js';

const DATASET_ROLES = ['training', 'validation', 'test'];

/** Whether the rule has any check switched on. */
export function hasChecks(c: ChecksPolicy): boolean {
  return c.metadata || c.lfs_digest || c.datasets.length > 0 || c.metrics.length > 0;
}

const dirOf = (p: string): string => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
const join = (dir: string, name: string): string => (dir ? `${dir}/${name}` : name);
const base = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

/** A directory holding changed models (or a changed metadata.json) and what changed in it. */
interface ModelDir {
  dir: string;
  models: string[];
}

/**
 * Runs the rule's checks over the changed files it protects. `changed` are
 * the paths present at the head (removed files are not models to check).
 */
export function evaluateChecks(
  rule: RulePolicy,
  facts: PullRequestFacts,
  changed: readonly string[],
  isProtected: (path: string) => boolean,
): CheckVerdict[] {
  const checks = rule.checks;
  if (!hasChecks(checks)) return [];
  const isModel = picomatch(checks.models, GLOB_OPTIONS);
  const dirs = new Map<string, ModelDir>();
  for (const path of changed) {
    if (!isProtected(path)) continue;
    const isMeta = base(path) === 'metadata.json';
    if (!isMeta && !isModel(path)) continue;
    const d = dirOf(path);
    const entry = dirs.get(d) ?? { dir: d, models: [] };
    if (!isMeta) entry.models.push(path);
    dirs.set(d, entry);
  }
  if (dirs.size === 0) {
    return [{ name: 'models', passed: true, reason: 'no model file changed under this rule\'s protected paths' }];
  }
  const out: CheckVerdict[] = [];
  for (const d of [...dirs.values()].sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0))) {
    out.push(...checkDir(d, checks, facts));
  }
  return out;
}

function lookupMetadata(d: ModelDir, facts: PullRequestFacts): { path: string; value: unknown } | undefined {
  const metaPath = join(d.dir, 'metadata.json');
  const all = facts.metadata ?? {};
  if (metaPath in all && all[metaPath] != null) return { path: metaPath, value: all[metaPath] };
  for (const m of d.models) if (m in all && all[m] != null) return { path: metaPath, value: all[m] };
  return undefined;
}

function checkDir(d: ModelDir, checks: ChecksPolicy, facts: PullRequestFacts): CheckVerdict[] {
  const metaPath = join(d.dir, 'metadata.json');
  const what = d.models.length > 0 ? d.models.join(', ') : metaPath;
  const found = lookupMetadata(d, facts);
  if (!found) {
    // Every other check reads metadata.json, so its absence is the one finding.
    return [
      {
        name: `metadata ${metaPath}`,
        passed: false,
        reason: `${what} changed without ${metaPath} (write it with the release workflow's lineage step)`,
      },
    ];
  }
  const meta = found.value;
  const out: CheckVerdict[] = [];
  const problems = lineageProblems(meta);
  if (checks.metadata || problems.length > 0) {
    out.push(
      problems.length === 0
        ? { name: `metadata ${metaPath}`, passed: true, reason: `${metaPath} is present and valid` }
        : { name: `metadata ${metaPath}`, passed: false, reason: `${metaPath} is not valid lineage metadata: ${problems.join('; ')}` },
    );
    if (problems.length > 0) return out;
  }
  const m = meta as Lineage;
  if (checks.datasets.length > 0) {
    const present = new Set((m.datasets ?? []).map((ds) => ds.role));
    const absent = checks.datasets.filter((r) => !present.has(r));
    out.push(
      absent.length === 0
        ? { name: `datasets ${metaPath}`, passed: true, value: [...present].sort(), reason: `datasets for ${checks.datasets.join(', ')} are listed` }
        : { name: `datasets ${metaPath}`, passed: false, value: [...present].sort(), reason: `${metaPath} lists no ${absent.join(' or ')} dataset` },
    );
  }
  if (checks.lfs_digest) out.push(lfsCheck(d, m, metaPath, facts));
  for (const t of checks.metrics) out.push(metricCheck(t, m, metaPath));
  return out;
}

function lfsCheck(d: ModelDir, m: Lineage, metaPath: string, facts: PullRequestFacts): CheckVerdict {
  const name = `lfs_digest ${metaPath}`;
  const oids = facts.lfs_oids ?? {};
  const described = m.model.path;
  // model.path may be relative to the repository or to the metadata's directory.
  const candidates = [
    described,
    described ? join(d.dir, base(described)) : undefined,
    ...d.models.filter((p) => !described || base(p) === base(described)),
  ].filter((p): p is string => typeof p === 'string');
  const lfsPath = candidates.find((p) => p in oids);
  if (!lfsPath) {
    return { name, passed: true, reason: `the model described by ${metaPath} is not stored in Git LFS (nothing to compare)` };
  }
  const oid = oids[lfsPath];
  if (oid === m.model.digest) {
    return { name, passed: true, value: oid, reason: `LFS oid of ${lfsPath} equals the model digest in ${metaPath}` };
  }
  return {
    name,
    passed: false,
    value: { lfs_oid: oid, metadata_digest: m.model.digest },
    reason: `LFS oid of ${lfsPath} is ${oid}, but ${metaPath} records ${m.model.digest}: the metadata describes another model file`,
  };
}

/** Finds a metric by exact key first, then as a dotted path into nested objects. */
function metricValue(metrics: Record<string, unknown> | undefined, name: string): unknown {
  if (!metrics) return undefined;
  if (Object.prototype.hasOwnProperty.call(metrics, name)) return metrics[name];
  let cur: unknown = metrics;
  for (const part of name.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Applies a threshold; exported for tests of the operators. */
export function compare(value: number, t: Pick<MetricThreshold, 'op' | 'value'>): boolean {
  switch (t.op) {
    case '>=':
      return value >= t.value;
    case '>':
      return value > t.value;
    case '<=':
      return value <= t.value;
    case '<':
      return value < t.value;
    case '==':
      return value === t.value;
  }
}

function metricCheck(t: MetricThreshold, m: Lineage, metaPath: string): CheckVerdict {
  const name = `metric ${t.text} (${metaPath})`;
  const value = metricValue(m.metrics, t.metric);
  if (value === undefined) return { name, passed: false, reason: `${metaPath} has no metric ${t.metric}` };
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return { name, passed: false, value, reason: `metric ${t.metric} in ${metaPath} is not a number` };
  }
  const passed = compare(value, t);
  return {
    name,
    passed,
    value,
    reason: passed ? `${t.metric} = ${value} meets ${t.text}` : `${t.metric} = ${value} does not meet ${t.text}`,
  };
}

interface Lineage {
  schema: string;
  model: { path?: string; digest: string; size?: number };
  datasets?: Array<{ name?: string; role: string; digest: string }>;
  metrics?: Record<string, unknown>;
}

/**
 * The fields of metadata.json (DESIGN.md §4) the checks rely on. A minimal
 * check until the lineage schema is available to this module; it is the
 * subset of that schema the gate's decisions read.
 */
export function lineageProblems(meta: unknown): string[] {
  const p: string[] = [];
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) return ['must be a JSON object'];
  const m = meta as Record<string, unknown>;
  if (typeof m.schema !== 'string' || m.schema === '') p.push('schema: must be the schema version URI');
  const model = m.model as Record<string, unknown> | undefined;
  if (!model || typeof model !== 'object') p.push('model: must be {path, digest, size}');
  else {
    if (typeof model.path !== 'string') p.push('model.path: must be a string');
    if (!isDigest(model.digest)) p.push('model.digest: must be sha256:<64 lowercase hex>');
    if (model.size !== undefined && (typeof model.size !== 'number' || model.size < 0)) p.push('model.size: must be a number of bytes');
  }
  if (m.datasets !== undefined) {
    if (!Array.isArray(m.datasets)) p.push('datasets: must be a list');
    else
      m.datasets.forEach((ds: unknown, i: number) => {
        const d = ds as Record<string, unknown> | null;
        if (!d || typeof d !== 'object') return void p.push(`datasets[${i}]: must be an object`);
        if (!DATASET_ROLES.includes(d.role as string)) p.push(`datasets[${i}].role: must be training, validation or test`);
        if (!isDigest(d.digest)) p.push(`datasets[${i}].digest: must be sha256:<64 lowercase hex>`);
      });
  }
  if (m.metrics !== undefined && (m.metrics === null || typeof m.metrics !== 'object' || Array.isArray(m.metrics))) {
    p.push('metrics: must be an object');
  }
  return p;
}
