/**
 * The policy file's `deployment:` section: which GitHub environments the
 * App's deployment protection rule guards and what a deployment to each
 * needs (a release pull request, a change request), where the audit log's
 * checkpoint key lives and how the change-management system is reached.
 * Parsed by policy-parse.ts (schema, then these checks, then normalisation),
 * so its problems carry file, line and column like the rest of the policy.
 */

/** One guarded environment. */
export interface DeploymentEnvironment {
  /** As written; matched without regard to case (GitHub's environment names are case-insensitive). */
  name: string;
  /** The deployed commit must be a release PR's merge commit whose approvals and evidence check out (default true). */
  release: boolean;
  /** An approved change request is required as well (default false). */
  change_request: boolean;
  /**
   * Branches (names or globs) a release PR for this environment may have
   * been merged into; null: the repository's default branch only.
   */
  release_branches: string[] | null;
}

/** How the App reaches ServiceNow: names of environment variables, never their values. */
export interface ServiceNowPolicy {
  instance_env: string;
  username_env: string;
  password_env: string;
  token_env: string;
  /** Template over {repository}, {pull_request}, {model_digest}, {environment}. */
  correlation_id: string;
  approved_states?: string[];
  enforce_window: boolean;
}

export interface DeploymentPolicy {
  environments: DeploymentEnvironment[];
  /** Path on the base branch of the public JWK (Set) that signs audit checkpoints, or null. */
  checkpoint_key: string | null;
  servicenow: ServiceNowPolicy | null;
}

/** The default correlation id: one change request per release pull request. */
export const DEFAULT_CORRELATION_ID = 'github:{repository}:pr:{pull_request}';

/** Placeholders a correlation id template may use. */
export const CORRELATION_PLACEHOLDERS = ['repository', 'pull_request', 'model_digest', 'environment'] as const;

import picomatch from 'picomatch';

type Raw = Record<string, unknown>;
type Seg = string | number;
type Add = (segs: Seg[], message: string, onKey?: boolean) => void;

/** Checks the schema cannot express (run after the schema passed). */
export function deploymentChecks(top: Raw, add: Add): void {
  const d = top.deployment as Raw | undefined;
  if (!d) return;
  if (!top.audit) {
    add(['deployment'], 'needs audit.store: every deployment decision is recorded there and the MODEL_RELEASE record is looked up there', true);
  }
  const seen = new Set<string>();
  const envs = d.environments as Raw[];
  envs.forEach((e, i) => {
    const key = String(e.name).toLowerCase();
    if (seen.has(key)) add(['deployment', 'environments', i, 'name'], `environment "${String(e.name)}" is listed twice`);
    seen.add(key);
    if (e.change_request === true && !d.servicenow) {
      add(['deployment', 'environments', i, 'change_request'], 'needs deployment.servicenow (how to reach the change-management system)');
    }
  });
  const sn = d.servicenow as Raw | undefined;
  if (typeof sn?.correlation_id === 'string') {
    for (const m of sn.correlation_id.matchAll(/\{([^}]*)\}/g)) {
      if (!(CORRELATION_PLACEHOLDERS as readonly string[]).includes(m[1])) {
        add(
          ['deployment', 'servicenow', 'correlation_id'],
          `unknown placeholder {${m[1]}} (allowed: ${CORRELATION_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')})`,
        );
      }
    }
  }
}

/** The normalised section, or undefined when the policy has none. */
export function normaliseDeployment(raw: Raw | undefined): DeploymentPolicy | undefined {
  if (!raw) return undefined;
  const sn = raw.servicenow as Raw | undefined;
  return {
    environments: (raw.environments as Raw[]).map((e) => ({
      name: String(e.name),
      // Secure by default: a listed environment needs a verified release.
      release: (e.release as boolean | undefined) ?? true,
      change_request: (e.change_request as boolean | undefined) ?? false,
      release_branches: (e.release_branches as string[] | undefined) ?? null,
    })),
    checkpoint_key: (raw.checkpoint_key as string | undefined) ?? null,
    servicenow: sn
      ? {
          instance_env: (sn.instance_env as string | undefined) ?? 'SERVICENOW_INSTANCE',
          username_env: (sn.username_env as string | undefined) ?? 'SERVICENOW_USERNAME',
          password_env: (sn.password_env as string | undefined) ?? 'SERVICENOW_PASSWORD',
          token_env: (sn.token_env as string | undefined) ?? 'SERVICENOW_TOKEN',
          correlation_id: (sn.correlation_id as string | undefined) ?? DEFAULT_CORRELATION_ID,
          ...(sn.approved_states ? { approved_states: sn.approved_states as string[] } : {}),
          enforce_window: (sn.enforce_window as boolean | undefined) ?? true,
        }
      : null,
  };
}

/** The policy's entry for an environment (case-insensitive), or undefined when it is not guarded. */
export function environmentPolicy(policy: DeploymentPolicy | undefined, name: string): DeploymentEnvironment | undefined {
  return policy?.environments.find((e) => e.name.toLowerCase() === name.toLowerCase());
}

/**
 * Whether a release PR merged into `base` may deploy to `env` (pure): `base`
 * must match one of the environment's `release_branches` (globs), or be the
 * default branch when it names none.
 */
export function isReleaseBranch(env: DeploymentEnvironment, base: string, defaultBranch: string): boolean {
  const allowed = env.release_branches ?? [defaultBranch];
  return allowed.some((b) => picomatch.isMatch(base, b, { dot: true }));
}

/** Fills a correlation id template; null when a placeholder it uses has no value. */
export function correlationId(template: string, values: Partial<Record<(typeof CORRELATION_PLACEHOLDERS)[number], string | number | null>>): string | null {
  let missing = false;
  const out = template.replace(/\{([^}]*)\}/g, (_m, k: string) => {
    const v = values[k as keyof typeof values];
    if (v === undefined || v === null || v === '') {
      missing = true;
      return '';
    }
    return String(v);
  });
  return missing ? null : out;
}
