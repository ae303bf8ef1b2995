/**
 * Parses `.github/model-release-gate.yml` into the normalised {@link Policy}.
 * Every problem names the file, line and column and the field, e.g.
 * `.github/model-release-gate.yml:7:5: roles[1].count: must be an integer >= 1`,
 * because a policy author fixes them in an editor, not in a JSON path.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { posix } from 'node:path';
import picomatch from 'picomatch';
import { isMap, isSeq, isScalar, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml';
import { GateError } from '../core/errors.js';
// The published schema file is the one source of truth; tsc emits it under lib/schemas/
// (package.json "files" lists it) and the Action's bundler inlines it.
import schema from '../../schemas/policy.schema.json' with { type: 'json' };
import { deploymentChecks, normaliseDeployment } from './deployment-policy.js';
import { GLOB_OPTIONS } from './path-match.js';
import {
  POLICY_PATH,
  type ChecksPolicy,
  type KeySource,
  type MetricOperator,
  type MetricThreshold,
  type Policy,
  type RolePolicy,
  type RulePolicy,
  type SignaturePolicy,
} from './types.js';

/** One thing wrong with a policy file. */
export interface PolicyProblem {
  file: string;
  line: number;
  column: number;
  /** Field path, e.g. `roles[1].count` (empty for the whole document). */
  path: string;
  message: string;
}

/** `file:line:col: path: message`, the form editors and CI annotations understand. */
export function formatProblem(p: PolicyProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

/** Files that count as model files when a rule's checks do not say. */
export const DEFAULT_MODEL_GLOBS = [
  '**/*.pt',
  '**/*.pth',
  '**/*.ckpt',
  '**/*.safetensors',
  '**/*.onnx',
  '**/*.pkl',
  '**/*.joblib',
  '**/*.h5',
  '**/*.keras',
  '**/*.gguf',
  '**/*.tflite',
  '**/*.pb',
  '**/*.mlmodel',
];

export { GLOB_OPTIONS } from './path-match.js';

const ajv = new Ajv({ allErrors: true, verbose: true, strict: true });
ajv.addKeyword({ keyword: 'x-message', schemaType: 'string' });
const validateSchema = ajv.compile(schema);

type Seg = string | number;

/**
 * Validates a policy text and returns either the policy or every problem
 * found (ordered by position). `file` is only used in messages.
 */
export function validatePolicy(
  text: string,
  file: string = POLICY_PATH,
): { policy?: Policy; problems: PolicyProblem[] } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: true });
  const at = (offset: number, path: string, message: string): PolicyProblem => {
    const { line, col } = lc.linePos(offset);
    return { file, line, column: col, path, message };
  };
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const message = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
        return { file, line: pos?.line ?? 1, column: pos?.col ?? 1, path: '', message: `not valid YAML: ${message}` };
      }),
    };
  }
  const locate = new Locator(doc);
  let value: unknown;
  try {
    // Aliases are resolved here: an undefined anchor or an alias bomb is refused, not expanded.
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return { problems: [at(0, '', `not valid YAML: ${(e as Error).message}`)] };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { problems: [at(0, '', 'must be a mapping with at least `version: 1` (see schemas/policy.schema.json)')] };
  }
  const problems: PolicyProblem[] = [];
  const add = (segs: Seg[], message: string, onKey = false): void => {
    problems.push(at(locate.offset(segs, onKey), pathText(segs), message));
  };

  // The two forms are told apart before the schema, so the message says which keys clash.
  const top = value as Record<string, unknown>;
  if ('rules' in top) {
    for (const k of ['protected_paths', 'roles', 'minimum_approvers', 'checks']) {
      if (k in top) add([k], `belongs inside a rule when \`rules:\` is used (move it into each rule)`, true);
    }
  } else if (!('protected_paths' in top) || !('roles' in top)) {
    const missing = ['protected_paths', 'roles'].filter((k) => !(k in top));
    add([], `missing ${missing.join(' and ')} (or a \`rules:\` list)`);
  }

  if (!validateSchema(value)) {
    for (const e of pruneErrors(validateSchema.errors ?? [])) {
      const segs = pointerSegments(e.instancePath);
      const m = schemaMessage(e);
      if (e.keyword === 'additionalProperties') {
        const key = String((e.params as { additionalProperty: string }).additionalProperty);
        const allowed = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
        problems.push(
          at(locate.offset([...segs, key], true), pathText([...segs, key]), `unknown key (allowed here: ${allowed.join(', ')})`),
        );
      } else {
        add(segs, m, e.keyword === 'not');
      }
    }
  }
  if (problems.length === 0) {
    semanticChecks(top, add);
    deploymentChecks(top, add);
  }
  if (problems.length > 0) {
    problems.sort((a, b) => a.line - b.line || a.column - b.column);
    return { problems: dedupe(problems) };
  }
  return { policy: normalise(top, file), problems: [] };
}

/**
 * Parses a policy text; throws `E_POLICY_INVALID` naming file, line, column and
 * field of the first problem (all of them in the message).
 */
export function parsePolicy(text: string, file: string = POLICY_PATH): Policy {
  const { policy, problems } = validatePolicy(text, file);
  if (policy) return policy;
  const [first, ...rest] = problems;
  const message = [
    `${first.path ? `${first.path}: ` : ''}${first.message}`,
    ...rest.map((p) => formatProblem(p)),
  ].join('\n');
  throw new GateError('E_POLICY_INVALID', message, {
    where: `${first.file}:${first.line}:${first.column}`,
    hint: 'fix the policy file; schemas/policy.schema.json describes every key',
  });
}

function dedupe(problems: PolicyProblem[]): PolicyProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = formatProblem(p);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** `roles[1].count` from segments. */
function pathText(segs: Seg[]): string {
  return segs.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function pointerSegments(pointer: string): Seg[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** Keeps one error per place: the one with a custom message where the schema has one. */
function pruneErrors(errors: ErrorObject[]): ErrorObject[] {
  // An anyOf with its own message replaces the errors of its branches.
  const covered = errors
    .filter((e) => (e.keyword === 'anyOf' || e.keyword === 'oneOf') && hasMessage(e))
    .map((e) => e.instancePath);
  const kept = errors.filter(
    (e) =>
      !(e.keyword === 'anyOf' || e.keyword === 'oneOf') || hasMessage(e),
  ).filter((e) => {
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf') return true;
    return !covered.some((p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`));
  });
  const byPlace = new Map<string, ErrorObject>();
  for (const e of kept) {
    const place =
      e.keyword === 'additionalProperties'
        ? `${e.instancePath}/${String((e.params as { additionalProperty: string }).additionalProperty)}#key`
        : e.instancePath;
    const prev = byPlace.get(place);
    if (!prev || (!hasMessage(prev) && hasMessage(e))) byPlace.set(place, e);
  }
  return [...byPlace.values()];
}

function hasMessage(e: ErrorObject): boolean {
  return typeof (e.parentSchema as Record<string, unknown> | undefined)?.['x-message'] === 'string';
}

function schemaMessage(e: ErrorObject): string {
  const custom = (e.parentSchema as Record<string, unknown> | undefined)?.['x-message'];
  if (typeof custom === 'string') return custom;
  switch (e.keyword) {
    case 'type': {
      const t = String((e.params as { type: string }).type);
      const names: Record<string, string> = {
        object: 'a mapping',
        array: 'a list',
        string: 'a string',
        boolean: 'true or false',
        integer: 'an integer',
        number: 'a number',
      };
      return `must be ${names[t] ?? t}`;
    }
    case 'required':
      return `missing required key "${String((e.params as { missingProperty: string }).missingProperty)}"`;
    case 'minItems':
      return 'must not be empty';
    case 'minLength':
      return 'must not be empty';
    case 'uniqueItems':
      return 'must not list the same item twice';
    default:
      return e.message ?? 'is not valid';
  }
}

/** Maps field paths to offsets in the YAML source. */
class Locator {
  constructor(private readonly doc: Document) {}

  offset(segs: Seg[], onKey: boolean): number {
    let node: unknown = this.doc.contents;
    let best = rangeStart(node) ?? 0;
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i];
      if (isMap(node)) {
        const pair = node.items.find((p: Pair) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) return best;
        const last = i === segs.length - 1;
        if (last && onKey) return rangeStart(pair.key) ?? best;
        node = pair.value;
        best = rangeStart(node) ?? rangeStart(pair.key) ?? best;
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg];
        best = rangeStart(node) ?? best;
      } else {
        return best;
      }
    }
    return best;
  }
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}

// ---------------------------------------------------------------------------
// Checks the schema cannot express, then normalisation.
// ---------------------------------------------------------------------------

type Raw = Record<string, unknown>;
type Add = (segs: Seg[], message: string, onKey?: boolean) => void;

function ruleEntries(top: Raw): Array<{ raw: Raw; segs: Seg[] }> {
  if (Array.isArray(top.rules)) return (top.rules as Raw[]).map((raw, i) => ({ raw, segs: ['rules', i] }));
  return [{ raw: top, segs: [] }];
}

function semanticChecks(top: Raw, add: Add): void {
  const ruleNames = new Map<string, number>();
  if (Array.isArray(top.rules)) {
    ((top.signatures as Raw | undefined)?.keys as string[] | undefined)?.forEach((k, i) => {
      const path = k.startsWith('allowed-signers:') ? k.slice('allowed-signers:'.length) : k.startsWith('jwks:') ? k.slice('jwks:'.length) : undefined;
      const problem = path === undefined ? undefined : namedPathProblem(path);
      if (problem) add(['signatures', 'keys', i], problem);
    });
  }
  const checkpointKey = (top.deployment as Raw | undefined)?.checkpoint_key;
  if (typeof checkpointKey === 'string' && namedPathProblem(checkpointKey)) add(['deployment', 'checkpoint_key'], namedPathProblem(checkpointKey)!);
  const checkGlobs = (globs: unknown, segs: Seg[]): void => {
    (globs as string[] | undefined)?.forEach((g, i) => {
      try {
        // debug: picomatch otherwise turns a regular expression it cannot build into /$^/, which never matches.
        picomatch.makeRe(g, { ...GLOB_OPTIONS, debug: true });
      } catch (e) {
        add([...segs, i], `not a valid glob: ${(e as Error).message}`);
      }
      if (g.split('/').includes('..')) add([...segs, i], 'must not contain ".." segments');
    });
  };
  for (const { raw, segs } of ruleEntries(top)) {
    if (typeof raw.name === 'string') {
      if (ruleNames.has(raw.name)) add([...segs, 'name'], `rule name "${raw.name}" is used twice`);
      ruleNames.set(raw.name, 1);
    }
    checkGlobs(raw.protected_paths, [...segs, 'protected_paths']);
    const sigKeys = (raw.signatures as Raw | undefined)?.keys as string[] | undefined;
    sigKeys?.forEach((k, i) => {
      const path = k.startsWith('allowed-signers:') ? k.slice('allowed-signers:'.length) : k.startsWith('jwks:') ? k.slice('jwks:'.length) : undefined;
      const problem = path === undefined ? undefined : namedPathProblem(path);
      if (problem) add([...segs, 'signatures', 'keys', i], problem);
    });
    const checks = raw.checks as Raw | undefined;
    if (checks) checkGlobs(checks.models, [...segs, 'checks', 'models']);
    const roleNames = new Set<string>();
    (raw.roles as Raw[]).forEach((role, i) => {
      const rs = [...segs, 'roles', i];
      const teams = (role.teams as string[] | undefined) ?? [];
      const users = (role.users as string[] | undefined) ?? [];
      if (teams.length + users.length === 0) add(rs, 'a role needs at least one of teams or users');
      const name = String(role.name);
      if (roleNames.has(name)) add([...rs, 'name'], `role name "${name}" is used twice in this rule`);
      roleNames.add(name);
    });
  }
}

/** A repository path as GitHub spells it: `./a//b` is `a/b`. */
export function repoPath(path: string): string {
  return posix.normalize(path).replace(/\/$/, '');
}

function parseKeySource(text: string): KeySource {
  if (text === 'github') return { kind: 'github' };
  if (text.startsWith('allowed-signers:')) return { kind: 'allowed-signers', path: repoPath(text.slice('allowed-signers:'.length)) };
  return { kind: 'jwks', path: repoPath(text.slice('jwks:'.length)) };
}

/** Problems of a repository path the policy names (key files, the checkpoint key). */
function namedPathProblem(path: string): string | undefined {
  const p = posix.normalize(path);
  if (p.startsWith('/') || p === '..' || p.startsWith('../') || p === '.') return 'must be a path inside the repository (no leading / and no .. escaping it)';
  return undefined;
}

/**
 * Every repository file the policy names: who may approve and what the
 * deployment rule trusts are decided by them, so a change to any of them is
 * a release under every rule, like a change to the policy file.
 */
function namedFiles(rules: RulePolicy[], deploymentKey: string | null | undefined): string[] {
  const files = new Set<string>();
  for (const r of rules) for (const k of r.signatures.keys) if (k.kind !== 'github') files.add(k.path);
  if (deploymentKey) files.add(repoPath(deploymentKey));
  return [...files].sort();
}

function normaliseSignatures(raw: Raw | undefined, fallback: SignaturePolicy): SignaturePolicy {
  if (!raw) return fallback;
  const keys = raw.keys as string[] | undefined;
  return {
    // Secure by default: a policy that names signatures but not `required` requires them.
    required: (raw.required as boolean | undefined) ?? true,
    keys: keys ? keys.map(parseKeySource) : fallback.keys,
  };
}

/** Parses `accuracy >= 0.9` (already checked against the schema's pattern). */
export function parseThreshold(text: string): MetricThreshold {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_./-]*)\s*(>=|<=|==|>|<)\s*(\S+)\s*$/.exec(text);
  if (!m) throw new GateError('E_POLICY_INVALID', `not a metric threshold: ${JSON.stringify(text)}`);
  return { metric: m[1], op: m[2] as MetricOperator, value: Number(m[3]), text: `${m[1]} ${m[2]} ${m[3]}` };
}

function normaliseChecks(raw: Raw | undefined): ChecksPolicy {
  return {
    models: (raw?.models as string[] | undefined) ?? DEFAULT_MODEL_GLOBS,
    metadata: (raw?.metadata as boolean | undefined) ?? false,
    datasets: (raw?.datasets as string[] | undefined) ?? [],
    lfs_digest: (raw?.lfs_digest as boolean | undefined) ?? false,
    metrics: ((raw?.metrics as string[] | undefined) ?? []).map(parseThreshold),
  };
}

function normaliseRole(raw: Raw): RolePolicy {
  return {
    name: String(raw.name),
    teams: (raw.teams as string[] | undefined) ?? [],
    users: (raw.users as string[] | undefined) ?? [],
    count: (raw.count as number | undefined) ?? 1,
  };
}

function normalise(top: Raw, file: string): Policy {
  const defaultSignatures = normaliseSignatures(top.signatures as Raw | undefined, {
    required: true,
    keys: [{ kind: 'github' }],
  });
  const defaultVeto = (top.changes_requested_veto as boolean | undefined) ?? false;
  const rules: RulePolicy[] = ruleEntries(top).map(({ raw }) => {
    const roles = (raw.roles as Raw[]).map(normaliseRole);
    return {
      name: typeof raw.name === 'string' && raw !== top ? raw.name : 'release',
      protected_paths: raw.protected_paths as string[],
      protected_files: [],
      roles,
      minimum_approvers:
        (raw.minimum_approvers as number | undefined) ?? roles.reduce((n, r) => n + r.count, 0),
      signatures: raw === top ? defaultSignatures : normaliseSignatures(raw.signatures as Raw | undefined, defaultSignatures),
      changes_requested_veto: raw === top ? defaultVeto : ((raw.changes_requested_veto as boolean | undefined) ?? defaultVeto),
      checks: normaliseChecks(raw.checks as Raw | undefined),
    };
  });
  const policy: Policy = {
    version: 1,
    rules,
    allow_commit_authors: (top.allow_commit_authors as boolean | undefined) ?? false,
    require_linked_authors: (top.require_linked_authors as boolean | undefined) ?? false,
    source: file,
  };
  const audit = top.audit as Raw | undefined;
  if (audit) {
    const store = audit.store as string | string[];
    policy.audit = { stores: Array.isArray(store) ? store : [store] };
  }
  const deployment = normaliseDeployment(top.deployment as Raw | undefined);
  if (deployment) policy.deployment = deployment;
  const named = namedFiles(rules, deployment?.checkpoint_key);
  for (const r of rules) r.protected_files = [...named];
  return policy;
}
