/**
 * Validation of {@link PullRequestFacts} at the boundary (the `simulate
 * --facts` file, or whatever a gatherer built): every problem names the field.
 */
import { GateError } from '../core/errors.js';
import { isDigest } from '../core/digest.js';
import type { PullRequestFacts } from './types.js';

const REVIEW_STATES = ['APPROVED', 'CHANGES_REQUESTED', 'COMMENTED', 'DISMISSED', 'PENDING'];
const FILE_STATUSES = ['added', 'removed', 'modified', 'renamed', 'copied', 'changed', 'unchanged'];
const SHA_RE = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** Returns the problems with a facts value, one `field: what is wrong` each (empty when valid). */
export function factsProblems(value: unknown): string[] {
  const problems: string[] = [];
  const bad = (field: string, what: string): void => void problems.push(`${field}: ${what}`);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return ['facts: must be a JSON object'];
  const f = value as Record<string, unknown>;
  const str = (k: string, re?: RegExp, what?: string): void => {
    if (typeof f[k] !== 'string' || (f[k] as string).length === 0) bad(k, 'must be a non-empty string');
    else if (re && !re.test(f[k] as string)) bad(k, what ?? `must match ${re}`);
  };
  const posInt = (field: string, v: unknown): void => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) bad(field, 'must be a positive integer');
  };
  const obj = (k: string, optional: boolean): Record<string, unknown> | undefined => {
    const v = f[k];
    if (v === undefined && optional) return undefined;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      bad(k, 'must be a JSON object');
      return undefined;
    }
    return v as Record<string, unknown>;
  };
  const arr = (k: string): unknown[] => {
    if (!Array.isArray(f[k])) {
      bad(k, 'must be a list');
      return [];
    }
    return f[k] as unknown[];
  };

  str('repository', /^[^/\s]+\/[^/\s]+$/, 'must be "owner/name"');
  posInt('repository_id', f.repository_id);
  posInt('pull_request', f.pull_request);
  if (f.base_ref !== undefined && typeof f.base_ref !== 'string') bad('base_ref', 'must be a string');
  str('base_sha', SHA_RE, 'must be a full commit SHA (40 lowercase hex digits)');
  str('head_sha', SHA_RE, 'must be a full commit SHA (40 lowercase hex digits)');
  str('author');
  arr('commit_authors').forEach((a, i) => {
    if (typeof a !== 'string') bad(`commit_authors[${i}]`, 'must be a login');
  });
  arr('changed_files').forEach((c, i) => {
    if (typeof c === 'string') return;
    if (c === null || typeof c !== 'object') return bad(`changed_files[${i}]`, 'must be a path or {filename, previous_filename?, status?}');
    const cf = c as Record<string, unknown>;
    if (typeof cf.filename !== 'string') bad(`changed_files[${i}].filename`, 'must be a string');
    if (cf.previous_filename !== undefined && typeof cf.previous_filename !== 'string')
      bad(`changed_files[${i}].previous_filename`, 'must be a string');
    if (cf.status !== undefined && !FILE_STATUSES.includes(cf.status as string))
      bad(`changed_files[${i}].status`, `must be one of ${FILE_STATUSES.join(', ')}`);
  });
  arr('artifacts').forEach((a, i) => {
    const art = a as Record<string, unknown> | null;
    if (art === null || typeof art !== 'object') return bad(`artifacts[${i}]`, 'must be {path, digest}');
    if (typeof art.path !== 'string' || art.path === '') bad(`artifacts[${i}].path`, 'must be a non-empty string');
    if (!isDigest(art.digest)) bad(`artifacts[${i}].digest`, 'must be sha256:<64 lowercase hex>');
  });
  if (f.lineage_digest === undefined) bad('lineage_digest', 'is required (a digest, or null when there is no metadata.json)');
  else if (f.lineage_digest !== null && !isDigest(f.lineage_digest)) bad('lineage_digest', 'must be sha256:<64 lowercase hex> or null');
  const teams = obj('teams', false);
  for (const [team, members] of Object.entries(teams ?? {})) {
    if (!Array.isArray(members) || members.some((m) => typeof m !== 'string')) bad(`teams["${team}"]`, 'must be a list of logins');
  }
  arr('reviews').forEach((r, i) => {
    const rv = r as Record<string, unknown> | null;
    const at = `reviews[${i}]`;
    if (rv === null || typeof rv !== 'object') return bad(at, 'must be {login, user_id, state, commit_id, body}');
    if (typeof rv.login !== 'string' || rv.login === '') bad(`${at}.login`, 'must be a non-empty string');
    posInt(`${at}.user_id`, rv.user_id);
    if (!REVIEW_STATES.includes(rv.state as string)) bad(`${at}.state`, `must be one of ${REVIEW_STATES.join(', ')}`);
    if (typeof rv.commit_id !== 'string') bad(`${at}.commit_id`, 'must be a commit SHA');
    if (typeof rv.body !== 'string') bad(`${at}.body`, 'must be a string (empty when the review has no text)');
    if (rv.is_bot !== undefined && typeof rv.is_bot !== 'boolean') bad(`${at}.is_bot`, 'must be true or false');
  });
  const keys = obj('signing_keys', false);
  for (const [login, list] of Object.entries(keys ?? {})) {
    if (!Array.isArray(list) || list.some((k) => typeof k !== 'string')) bad(`signing_keys["${login}"]`, 'must be a list of "ssh-... AAAA..." lines');
  }
  for (const [p, text] of Object.entries(obj('allowed_signers', true) ?? {})) {
    if (typeof text !== 'string') bad(`allowed_signers["${p}"]`, 'must be the file content as a string');
  }
  for (const [p, jwks] of Object.entries(obj('jwks', true) ?? {})) {
    const k = (jwks as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(k)) bad(`jwks["${p}"]`, 'must be a JWKS ({"keys": [...]})');
  }
  obj('metadata', true);
  for (const [p, oid] of Object.entries(obj('lfs_oids', true) ?? {})) {
    if (!isDigest(oid)) bad(`lfs_oids["${p}"]`, 'must be sha256:<64 lowercase hex>');
  }
  for (const [login, id] of Object.entries(obj('user_ids', true) ?? {})) posInt(`user_ids["${login}"]`, id);
  headFilesProblems(f.head_files, bad);
  optionalList(f.co_authors, 'co_authors', bad).forEach((c, i) => {
    const at = `co_authors[${i}]`;
    if (c === null || typeof c !== 'object' || Array.isArray(c)) return bad(at, 'must be {name, email, login?}');
    const co = c as Record<string, unknown>;
    if (typeof co.name !== 'string') bad(`${at}.name`, 'must be a string');
    if (typeof co.email !== 'string' || co.email === '') bad(`${at}.email`, 'must be a non-empty string');
    if (co.login !== undefined && (typeof co.login !== 'string' || co.login === '')) bad(`${at}.login`, 'must be a non-empty login');
  });
  optionalList(f.unlinked_commit_authors, 'unlinked_commit_authors', bad).forEach((u, i) => {
    const at = `unlinked_commit_authors[${i}]`;
    if (u === null || typeof u !== 'object' || Array.isArray(u)) return bad(at, 'must be {sha, name, email}');
    const un = u as Record<string, unknown>;
    if (typeof un.sha !== 'string' || !SHA_RE.test(un.sha)) bad(`${at}.sha`, 'must be a full commit SHA (40 lowercase hex digits)');
    if (typeof un.name !== 'string') bad(`${at}.name`, 'must be a string');
    if (typeof un.email !== 'string' || un.email === '') bad(`${at}.email`, 'must be a non-empty string');
  });
  if (f.release_actor !== undefined && (typeof f.release_actor !== 'string' || f.release_actor === '')) bad('release_actor', 'must be a non-empty login');
  return problems;
}

const HEAD_KINDS = ['blob', 'lfs', 'symlink', 'submodule', 'absent', 'unreadable'];

function optionalList(v: unknown, field: string, bad: (field: string, what: string) => void): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    bad(field, 'must be a list');
    return [];
  }
  return v;
}

/** `head_files`: what the head commit holds at each path the gate judges (types.ts HeadFileFact). */
function headFilesProblems(v: unknown, bad: (field: string, what: string) => void): void {
  const seen = new Map<string, number>();
  optionalList(v, 'head_files', bad).forEach((h, i) => {
    const at = `head_files[${i}]`;
    if (h === null || typeof h !== 'object' || Array.isArray(h)) return bad(at, 'must be {path, kind, digest?, size?, reason?}');
    const hf = h as Record<string, unknown>;
    if (typeof hf.path !== 'string' || hf.path === '') bad(`${at}.path`, 'must be a non-empty string');
    else if (seen.has(hf.path)) bad(`${at}.path`, `"${hf.path}" is listed twice (also head_files[${seen.get(hf.path)}])`);
    else seen.set(hf.path, i);
    if (!HEAD_KINDS.includes(hf.kind as string)) return bad(`${at}.kind`, `must be one of ${HEAD_KINDS.join(', ')}`);
    if (hf.digest !== undefined && !isDigest(hf.digest)) bad(`${at}.digest`, 'must be sha256:<64 lowercase hex>');
    else if (hf.digest === undefined && (hf.kind === 'blob' || hf.kind === 'lfs')) {
      bad(`${at}.digest`, `is required for kind ${hf.kind as string} (${hf.kind === 'lfs' ? "the pointer's oid" : 'the SHA-256 of the bytes'}, sha256:<64 lowercase hex>)`);
    }
    if (hf.size !== undefined && (typeof hf.size !== 'number' || !Number.isSafeInteger(hf.size) || hf.size < 0)) bad(`${at}.size`, 'must be an integer >= 0');
    if (hf.reason !== undefined && typeof hf.reason !== 'string') bad(`${at}.reason`, 'must be a string');
    else if (hf.kind === 'unreadable' && (typeof hf.reason !== 'string' || hf.reason === '')) {
      bad(`${at}.reason`, 'is required for kind unreadable (why the file could not be read)');
    }
  });
}

/** Checks a parsed facts value; throws `E_INPUT` naming every bad field. */
export function validateFacts(value: unknown, where = 'facts'): PullRequestFacts {
  const problems = factsProblems(value);
  if (problems.length > 0) {
    throw new GateError('E_INPUT', `pull request facts are not valid:\n  ${problems.join('\n  ')}`, {
      where,
      hint: 'see docs/simulate.md for the facts format',
    });
  }
  return value as PullRequestFacts;
}
