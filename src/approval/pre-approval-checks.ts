/**
 * Automated pre-approval checks of one rule (docs/design.md §4): lineage metadata
 * beside every changed model, dataset roles present, the model digest equal
 * to the Git LFS pointer's oid, metric thresholds. A failing check fails the
 * gate whatever the approvals say: people sign off on a model that passed them.
 */
import { GateError } from '../core/errors.js';
import { validateMetadata } from '../lineage/metadata-validate.js';
import { pathMatcher } from './path-match.js';
import type { CheckVerdict, ChecksPolicy, MetricThreshold, PullRequestFacts, RulePolicy } from './types.js';
import { joinPath, lineageTarget, lookupMetadata, modelDirs, type ModelDir } from './lineage-files.js';
import { own } from './own-property.js';

/** Whether the rule has any check switched on. */
export function hasChecks(c: ChecksPolicy): boolean {
  return c.metadata || c.lfs_digest || c.datasets.length > 0 || c.metrics.length > 0;
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
  const dirs = modelDirs(changed, isProtected, pathMatcher(checks.models));
  if (dirs.length === 0) {
    return [{ name: 'models', passed: true, reason: 'no model file changed under this rule\'s protected paths' }];
  }
  return dirs.flatMap((d) => checkDir(d, checks, facts));
}

function checkDir(d: ModelDir, checks: ChecksPolicy, facts: PullRequestFacts): CheckVerdict[] {
  const metaPath = joinPath(d.dir, 'metadata.json');
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
  // The pointers the head commit holds (head_files) are the oids; lfs_oids is the older, hand-written form.
  const oids: Record<string, string> = { ...facts.lfs_oids };
  for (const h of facts.head_files ?? []) if (h.kind === 'lfs' && h.digest) oids[h.path] = h.digest;
  const described = typeof m.model.path === 'string' ? m.model.path : '';
  const target = lineageTarget(described, d.dir);
  const candidates = target.external ? [] : target.candidates;
  // A changed model the metadata does not describe has no lineage: never "nothing to compare".
  const undescribed = d.models.filter((p) => !candidates.includes(p));
  if (undescribed.length > 0) {
    return {
      name,
      passed: false,
      reason: `${undescribed[0]} changed, but ${metaPath} describes ${described}: the changed model has no lineage record (record its lineage in ${metaPath})`,
    };
  }
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
