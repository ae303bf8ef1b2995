/**
 * A valid policy document to the normalised {@link Policy} every consumer
 * reads: both forms (top-level roles or `rules:`) become rules, defaults
 * filled in, key sources and thresholds parsed.
 */
import { posix } from 'node:path';
import { GateError } from '../core/errors.js';
import { normaliseDeployment } from './deployment-policy.js';
import {
  type ChecksPolicy,
  type KeySource,
  type MetricOperator,
  type MetricThreshold,
  type Policy,
  type RolePolicy,
  type RulePolicy,
  type SignaturePolicy,
} from './types.js';
import { ruleEntries, type Raw } from './policy-semantics.js';


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



/** A repository path as GitHub spells it: `./a//b` is `a/b`. */
export function repoPath(path: string): string {
  return posix.normalize(path).replace(/\/$/, '');
}

function parseKeySource(text: string): KeySource {
  if (text === 'github') return { kind: 'github' };
  if (text.startsWith('allowed-signers:')) return { kind: 'allowed-signers', path: repoPath(text.slice('allowed-signers:'.length)) };
  return { kind: 'jwks', path: repoPath(text.slice('jwks:'.length)) };
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

export function normalise(top: Raw, file: string): Policy {
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
