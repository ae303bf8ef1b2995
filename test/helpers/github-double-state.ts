/**
 * What the GitHub double holds: users, repositories with commits (trees with
 * modes), branches, pull requests and their reviews, check runs. Plain data;
 * github-double.ts builds it, the resource files serve it.
 */
import { createHash } from 'node:crypto';

export interface UserState {
  login: string;
  id: number;
  type: 'User' | 'Bot';
  sshSigningKeys: Array<{ id: number; key: string; title: string; created_at: string }>;
  /** The public profile email (null: not public). */
  email?: string | null;
}

/** Git file modes GitHub's tree API reports (directories are `040000`). */
export type FileMode = '100644' | '100755' | '120000' | '160000';

/**
 * What a commit holds at a path: its bytes (text or binary), or an object
 * with a mode: a symbolic link (`120000`, content = the link's target), a
 * submodule (`160000`, content = the submodule commit's sha), an executable.
 */
export type FileChange = string | Buffer | { mode: FileMode; content: string | Buffer };

export interface CommitState {
  sha: string;
  parents: string[];
  /** Full tree: path → content (the bytes of a blob; a link's target; a submodule's commit sha). */
  tree: Map<string, string | Buffer>;
  /** Paths whose mode is not `100644` (absent: a regular file). */
  modes: Map<string, FileMode>;
  author: string;
  committer: string;
  message: string;
  /** The author's email (default: the login's noreply address). */
  authorEmail?: string;
  /** false: the author's email links to no account (the API's `author` is null). */
  linked?: boolean;
}

export interface DiffEntryState {
  filename: string;
  status: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';
  previous_filename?: string;
}

export interface ReviewState {
  id: number;
  login: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';
  commit_id: string;
  body: string;
  submitted_at: string;
}

export interface PullState {
  number: number;
  id: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  author: string;
  base: { ref: string; sha: string };
  head: { ref: string; sha: string };
  /** Commits of the PR, oldest first. */
  commits: string[];
  /** Overrides the diff computed from the trees (e.g. a 3,000-file PR). */
  files?: DiffEntryState[];
  reviews: ReviewState[];
  /** Set once merged (github-double-deployments.ts `mergePull`). */
  merged_at?: string | null;
  merge_commit_sha?: string | null;
}

export interface CheckRunState {
  id: number;
  repo: string;
  head_sha: string;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  started_at: string;
  completed_at: string | null;
  external_id: string;
  details_url: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  actions: Array<{ label: string; description: string; identifier: string }>;
  app_id: number;
}

export interface RepoState {
  owner: string;
  name: string;
  id: number;
  private: boolean;
  default_branch: string;
  branches: Map<string, string>;
  commits: Map<string, CommitState>;
  pulls: Map<number, PullState>;
}

/** GitHub's timestamp form (seconds, Z). */
export const ISO = (d = new Date()): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A deterministic fake git sha (40 hex) for a label. */
export function fakeSha(label: string): string {
  return createHash('sha1').update(label).digest('hex');
}

/** Git's blob id: SHA-1 over `blob <size>\0` and the bytes. */
export function gitBlobSha(buf: Buffer): string {
  return createHash('sha1').update(`blob ${buf.length}\0`).update(buf).digest('hex');
}

/** The bytes of a tree entry's content. */
export function bytesOf(v: string | Buffer): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8');
}

/** The diff of two commits' trees as GitHub lists it (sorted by path): bytes or mode changed. */
export function diffCommits(base: CommitState | undefined, head: CommitState | undefined): DiffEntryState[] {
  const out: DiffEntryState[] = [];
  const bt = base?.tree ?? new Map<string, string | Buffer>();
  const ht = head?.tree ?? new Map<string, string | Buffer>();
  const paths = new Set([...bt.keys(), ...ht.keys()]);
  for (const p of [...paths].sort()) {
    const b = bt.get(p);
    const h = ht.get(p);
    if (b !== undefined && h !== undefined && bytesOf(b).equals(bytesOf(h)) && base?.modes.get(p) === head?.modes.get(p)) continue;
    out.push({ filename: p, status: b === undefined ? 'added' : h === undefined ? 'removed' : 'modified' });
  }
  return out;
}
