/**
 * The files a change to the gate itself touches: the policy file (in either
 * spelling) and every file the policy names (allowed-signers files, JWKS,
 * the deployment checkpoint key). A push to a base branch that changes one of
 * them re-evaluates the open pull requests into it (a pass may be stale).
 */
import { POLICY_PATH, type Policy } from './types.js';

const POLICY_FILES = [POLICY_PATH, POLICY_PATH.replace(/\.yml$/, '.yaml')];

/** Every file the gate depends on under `policy` (pure): the named files as the policy normalised them, i.e. repository paths. */
export function gateFiles(policy: Policy | null): string[] {
  const out = new Set(POLICY_FILES);
  // Each rule carries the policy's named files (the same list makes them protected).
  for (const rule of policy?.rules ?? []) for (const f of rule.protected_files) out.add(f);
  return [...out];
}
