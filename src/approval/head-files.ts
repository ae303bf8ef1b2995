/**
 * The gate judges the bytes of the head commit, never a file's claim about
 * them (issue 10, attacks 4 and 7). `head_files` is what the gatherer read
 * from Git's objects; here every changed protected path, every model and
 * dataset a changed metadata.json names, and every artifact the approval
 * statement names is held against it. Pure: no I/O.
 *
 * Without `head_files` (a hand-written facts file) none of this can be
 * judged; the evaluator then says so in the verdict's notes (the App always
 * supplies them).
 */
import type { Digest } from '../core/digest.js';
import { lineageTarget, lookupMetadata, modelDirs, type ModelDir } from './lineage-files.js';
import type { CheckVerdict, HeadFileFact, PullRequestFacts, RulePolicy } from './types.js';

/** The head commit's files by exact path (Git paths are case-sensitive). */
export type HeadIndex = ReadonlyMap<string, HeadFileFact>;

/** Indexes `head_files`, or undefined when the facts carry none. */
export function headIndex(facts: PullRequestFacts): HeadIndex | undefined {
  if (!Array.isArray(facts.head_files)) return undefined;
  const m = new Map<string, HeadFileFact>();
  for (const h of facts.head_files) if (!m.has(h.path)) m.set(h.path, h);
  return m;
}

const hasBytes = (h: HeadFileFact | undefined): h is HeadFileFact & { digest: Digest } =>
  (h?.kind === 'blob' || h?.kind === 'lfs') && typeof h.digest === 'string';

/** How the commit holds a file, for messages. */
function held(h: HeadFileFact & { digest: Digest }): string {
  return h.kind === 'lfs' ? `a Git LFS pointer to ${h.digest}` : h.digest;
}

/** Why a path the gate must judge cannot be judged, or undefined when it holds bytes. */
function kindProblem(path: string, h: HeadFileFact | undefined): string | undefined {
  if (!h) {
    return `${path} changed, but the facts do not say what the head commit holds there (no head_files entry): the gate judges only bytes it read from the commit`;
  }
  switch (h.kind) {
    case 'symlink':
      return `${path} is a symbolic link in the head commit (mode 120000): a protected path must be a regular file or a Git LFS pointer, or the bytes the gate judged are not the bytes that ship`;
    case 'submodule':
      return `${path} is a submodule in the head commit (mode 160000): its bytes live in another repository, out of the gate's sight`;
    case 'unreadable':
      return `${path} could not be read from the head commit (${h.reason ?? 'no reason given'}): the gate fails closed`;
    case 'absent':
      return `${path} is listed as changed but the head commit does not hold it: the facts disagree, so the gate fails closed`;
    default:
      return hasBytes(h) ? undefined : `${path} has no digest in head_files: the gate fails closed`;
  }
}

const fail = (name: string, reason: string, value?: unknown): CheckVerdict => ({ name, passed: false, reason, ...(value === undefined ? {} : { value }) });

/**
 * The head-commit checks of one rule: `present` are the changed paths the
 * head still holds, `isModel` the rule's model globs.
 */
export function headFileChecks(
  rule: RulePolicy,
  facts: PullRequestFacts,
  head: HeadIndex,
  present: readonly string[],
  isProtected: (p: string) => boolean,
  isModel: (p: string) => boolean,
): CheckVerdict[] {
  const out: CheckVerdict[] = [];
  // Paths already reported as unjudgeable: one finding per path.
  const reported = new Set<string>();

  const changedProtected = present.filter(isProtected);
  for (const p of changedProtected) {
    const problem = kindProblem(p, head.get(p));
    if (problem) {
      out.push(fail(`bytes ${p}`, problem, head.get(p)?.kind));
      reported.add(p);
    }
  }
  if (reported.size === 0) {
    const n = changedProtected.length;
    out.push({ name: 'bytes', passed: true, reason: `${n} changed protected file${n === 1 ? '' : 's'} read from the head commit (regular files or Git LFS pointers)` });
  }

  for (const d of modelDirs(present, isProtected, isModel)) out.push(...lineageChecks(d, facts, head, reported));

  // Every changed model is among the signed artifacts, with or without a metadata.json naming it.
  if (rule.signatures.required) out.push(...artifactChecks(facts, head, changedProtected.filter(isModel), reported));
  return out;
}

interface LineageModel {
  path?: unknown;
  type?: unknown;
  digest?: unknown;
  size?: unknown;
}

/** metadata.json against the commit: the model it names is the changed model, with the computed digest; datasets in the commit too. */
function lineageChecks(d: ModelDir, facts: PullRequestFacts, head: HeadIndex, reported: Set<string>): CheckVerdict[] {
  const found = lookupMetadata(d, facts);
  // Missing or unreadable metadata is the automated checks' finding (checks.metadata).
  if (!found || found.value === null || typeof found.value !== 'object') return [];
  const meta = found.value as { model?: LineageModel; datasets?: unknown };
  const metaPath = found.path;
  const name = `lineage ${metaPath}`;
  const model = meta.model;
  if (!model || typeof model.path !== 'string' || typeof model.digest !== 'string') return [];
  const out: CheckVerdict[] = [];
  const target = lineageTarget(model.path, d.dir);
  const resolved = target.external ? undefined : resolve(target.candidates, head, d.models);

  // Every changed model beside the metadata must be the one it describes.
  for (const m of d.models) {
    if (resolved !== m) {
      out.push(fail(name, `${m} changed, but ${metaPath} describes ${resolved ?? model.path}: the changed model has no lineage record (record its lineage in ${metaPath})`));
    }
  }
  if (target.external) {
    if (out.length === 0) out.push({ name, passed: true, reason: `the model ${model.path} is stored outside the repository: its digest cannot be checked against the commit` });
    return out;
  }
  if (resolved === undefined) {
    out.push(fail(name, `${metaPath} names the model ${model.path}, whose bytes at the head were not read (no head_files entry for ${target.candidates.join(' or ')}): the gate fails closed`));
    return out;
  }
  out.push(...compareClaim(metaPath, 'model', resolved, model.digest, model.size, head, reported));

  if (Array.isArray(meta.datasets)) {
    for (const ds of meta.datasets as Array<{ path?: unknown; type?: unknown; digest?: unknown; size?: unknown }>) {
      if (typeof ds?.path !== 'string' || typeof ds.digest !== 'string' || (ds.type !== undefined && ds.type !== 'file')) continue;
      const t = lineageTarget(ds.path, d.dir);
      if (t.external) continue;
      const at = t.candidates.find((c) => head.has(c) && head.get(c)!.kind !== 'absent');
      // A dataset outside the commit (not in head_files, or absent there) is not the gate's to judge.
      if (at === undefined) continue;
      out.push(...compareClaim(metaPath, 'dataset', at, ds.digest, ds.size, head, reported));
    }
  }
  if (!out.some((c) => !c.passed)) {
    out.push({ name, passed: true, reason: `${metaPath} describes ${resolved} with the digest the head commit holds` });
  }
  return out;
}

/**
 * Which candidate path the commit holds: the first it holds as something,
 * else the first it is known not to hold; a changed model among the
 * candidates wins when the facts know nothing of any of them.
 */
function resolve(candidates: string[], head: HeadIndex, changedModels: string[]): string | undefined {
  return (
    candidates.find((c) => head.has(c) && head.get(c)!.kind !== 'absent') ??
    candidates.find((c) => head.has(c)) ??
    candidates.find((c) => changedModels.includes(c))
  );
}

function compareClaim(
  metaPath: string,
  what: 'model' | 'dataset',
  path: string,
  claimed: string,
  claimedSize: unknown,
  head: HeadIndex,
  reported: Set<string>,
): CheckVerdict[] {
  const name = `lineage ${metaPath}`;
  const h = head.get(path);
  if (!hasBytes(h)) {
    if (reported.has(path)) return [];
    reported.add(path);
    if (h?.kind === 'absent') return [fail(name, `${metaPath} describes the ${what} ${path}, which the head commit does not hold`)];
    return [fail(name, kindProblem(path, h)!.replace(/^\S+ changed, but/, `${metaPath} names the ${what} ${path}, but`))];
  }
  if (h.digest !== claimed) {
    return [
      fail(
        name,
        `${metaPath} records ${what} digest ${claimed} for ${path}, but the head commit holds ${held(h)} there: the metadata describes other bytes than the commit`,
        { computed: h.digest, claimed },
      ),
    ];
  }
  if (typeof claimedSize === 'number' && typeof h.size === 'number' && claimedSize !== h.size) {
    return [fail(name, `${metaPath} records size ${claimedSize} for ${path}, but the head commit holds ${h.size} bytes there`, { computed: h.size, claimed: claimedSize })];
  }
  return [];
}

/** The statement must name exactly the computed digests, and every changed model. */
function artifactChecks(facts: PullRequestFacts, head: HeadIndex, changedModels: string[], reported: Set<string>): CheckVerdict[] {
  const out: CheckVerdict[] = [];
  for (const a of facts.artifacts) {
    const h = head.get(a.path);
    const name = `artifacts ${a.path}`;
    if (!hasBytes(h)) {
      if (reported.has(a.path)) continue;
      out.push(
        fail(
          name,
          h
            ? `the statement names ${a.path}, which the head commit holds as ${h.kind === 'absent' ? 'nothing' : `a ${h.kind}`}: a signed statement must name the digests computed from the commit`
            : `the statement names ${a.path}, whose bytes at the head were not read (no head_files entry): a signed statement must name the digests computed from the commit`,
        ),
      );
    } else if (h.digest !== a.digest) {
      out.push(
        fail(name, `the statement would name ${a.digest} for ${a.path}, but the head commit holds ${h.digest}: a signed statement must name the digests computed from the commit`, {
          computed: h.digest,
          named: a.digest,
        }),
      );
    }
  }
  const named = new Set(facts.artifacts.map((a) => a.path));
  for (const m of changedModels) {
    if (!named.has(m) && !reported.has(m)) {
      out.push(fail(`artifacts ${m}`, `${m} changed, but the statement's artifacts do not name it: the approvals would not cover its bytes`));
    }
  }
  if (out.length === 0) {
    const n = facts.artifacts.length;
    out.push({ name: 'artifacts', passed: true, reason: `the statement names the digest${n === 1 ? '' : 's'} computed from the head commit (${n} artifact${n === 1 ? '' : 's'})` });
  }
  return out;
}
