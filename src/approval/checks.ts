/**
 * Automated pre-approval checks of one rule (DESIGN.md §4): lineage metadata
 * beside every changed model, dataset roles present, the model digest equal
 * to the Git LFS pointer's oid, metric thresholds. A failing check fails the
 * gate whatever the approvals say: people sign off on a model that passed them.
 */
import picomatch from 'picomatch';
import { GateError } from '../core/errors.js';
import { validateMetadata } from '../lineage/metadata-validate.js';
import { GLOB_OPTIONS } from './policy-parse.js';
import type { CheckVerdict, ChecksPolicy, MetricThreshold, PullRequestFacts, RulePolicy } from './types.js';
import { own } from './own.js';

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
  const byMeta = own(all, metaPath);
  if (byMeta != null) return { path: metaPath, value: byMeta };
  for (const m of d.models) {
    const byModel = own(all, m);
    if (byModel != null) return { path: metaPath, value: byModel };
  }
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
  const problems = lineageProblems(meta, found.path);
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
  const lfsPath = candidates.find((p) => own(oids, p) !== undefined);
  if (!lfsPath) {
    return { name, passed: true, reason: `the model described by ${metaPath} is not stored in Git LFS (nothing to compare)` };
  }
  const oid = own(oids, lfsPath)!;
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
 * Problems of a metadata.json against the published lineage schema
 * (schemas/metadata.schema.json, through the lineage capability's validator);
 * empty when valid.
 */
export function lineageProblems(meta: unknown, file = 'metadata.json'): string[] {
  try {
    validateMetadata(meta, file);
    return [];
  } catch (e) {
    if (!(e instanceof GateError)) throw e;
    const also = (e.hint ?? '')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('also '))
      .map((l) => l.slice('also '.length));
    return [e.message, ...also];
  }
}
