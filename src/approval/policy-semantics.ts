/**
 * What the schema cannot say about a policy: the checks across fields (role
 * names unique in a rule, files the policy names inside the repository, ...),
 * each reported at its field.
 */
import { posix } from 'node:path';
import picomatch from 'picomatch';
import { GLOB_OPTIONS } from './path-match.js';
import type { Seg } from './policy-problems.js';

export type Raw = Record<string, unknown>;
export type Add = (segs: Seg[], message: string, onKey?: boolean) => void;

export function ruleEntries(top: Raw): Array<{ raw: Raw; segs: Seg[] }> {
  if (Array.isArray(top.rules)) return (top.rules as Raw[]).map((raw, i) => ({ raw, segs: ['rules', i] }));
  return [{ raw: top, segs: [] }];
}

export function semanticChecks(top: Raw, add: Add): void {
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

/** Problems of a repository path the policy names (key files, the checkpoint key). */
export function namedPathProblem(path: string): string | undefined {
  const p = posix.normalize(path);
  if (p.startsWith('/') || p === '..' || p.startsWith('../') || p === '.') return 'must be a path inside the repository (no leading / and no .. escaping it)';
  return undefined;
}

