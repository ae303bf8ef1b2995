/**
 * What the gate needs to know about a pull request, behind one interface
 * (STYLE.md example 2, like policy-bot's `pull.Context`): the evaluation
 * sees GitHub only through it. The GitHub-backed implementation lives at the
 * edge (`src/github/pull-request-source.ts`: lazy, paginated, cached for one
 * event); tests pass an in-memory one.
 *
 * Everything fails closed: a list GitHub truncates or an answer that cannot
 * be read throws, and the caller turns that into a failing verdict.
 */
import type { ChangedFile, ReviewFact, UnlinkedAuthorFact } from './types.js';

/** Which pull request. */
export interface PullTarget {
  owner: string;
  repo: string;
  pull_number: number;
}

/** The pull request itself, as the gate needs it. */
export interface PullInfo {
  repository: string;
  repository_id: number;
  number: number;
  author: string;
  state: string;
  /** The repository's default branch (where the audit store and deployment rules are read). */
  default_branch: string;
  base_ref: string;
  base_sha: string;
  head_ref: string;
  head_sha: string;
  /** GitHub's count of changed files (to detect the 3,000-file listing cap). */
  changed_files: number;
  /** GitHub's count of commits (to detect the 250-commit listing cap). */
  commits: number;
}

/** One entry of a git tree, as GitHub's trees API lists it. */
export interface TreeEntry {
  path: string;
  /** `100644`, `100755` (file), `120000` (symlink), `040000` (directory), `160000` (submodule). */
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  /** The git object id (SHA-1 of the object). */
  sha: string;
  size?: number;
}

/** Reads git objects of the repository (the Git Data API). */
export interface GitObjectSource {
  /** The entry at `path` in `commit`'s tree, or null when the tree has no such path. Throws when it cannot tell. */
  treeEntry(commit: string, path: string): Promise<TreeEntry | null>;
  /** The bytes of a blob, checked against its object id. Throws when they cannot be read. */
  blob(sha: string): Promise<Buffer>;
}

/** A `Co-authored-by: name <email>` trailer of a commit message. */
export interface Trailer {
  name: string;
  email: string;
}

/** Who wrote the commits besides their linked authors. */
export interface CommitPeople {
  /** The commits' `Co-authored-by:` trailers, one per address. */
  co_authors: Trailer[];
  /** Commits whose author email links to no account. */
  unlinked: UnlinkedAuthorFact[];
}

/**
 * One event's view of a pull request, including the git objects of its
 * commits (tree entries with their modes, blobs), from which the gate hashes
 * the bytes it judges.
 */
export interface PullRequestSource extends GitObjectSource {
  pull(): Promise<PullInfo>;
  changedFiles(): Promise<ChangedFile[]>;
  /** Every review GitHub keeps, in its order (the evaluator takes each user's standing one). */
  reviews(): Promise<ReviewFact[]>;
  /** Members of `org/slug` among `candidates` (only they can matter). */
  teamMembers(team: string, candidates: string[]): Promise<string[]>;
  signingKeys(login: string): Promise<string[]>;
  /** Logins of the authors and committers of the PR's commits. */
  commitAuthors(): Promise<string[]>;
  commitPeople(): Promise<CommitPeople>;
  /** A user's public profile email, or null (what the API exposes of an approver). */
  publicEmail(login: string): Promise<string | null>;
  /** Who triggered a workflow run of this repository, or null when there is no such run. */
  workflowRunActor(runId: number): Promise<string | null>;
  /** The commit a branch points to now (the policy is read there: a pull request's base.sha can be stale). */
  branchSha(branch: string): Promise<string>;
  /** A file's text at a commit, or null when it does not exist there (policy and key files on the base). */
  file(ref: string, path: string): Promise<string | null>;
  /** Whether `descendant`'s history contains `ancestor` (equal counts). */
  contains(ancestor: string, descendant: string): Promise<boolean>;
  /** Requests made so far (pages count one each). */
  readonly requestCount: number;
  /** The route of each request made, in order. */
  readonly requestLog: readonly string[];
}

/** What the policy asks the gatherer to fetch (nothing else is fetched). */
export interface FactNeeds {
  /** The PR touches protected paths: reviews and approvers matter at all. */
  release: boolean;
  /** Teams named by the applicable rules' roles ("org/slug"). */
  teams: string[];
  /** Approvers' SSH signing keys registered on GitHub. */
  githubKeys: boolean;
  /** allowed-signers files (paths on the base branch). */
  allowedSigners: string[];
  /** JWKS files (paths on the base branch). */
  jwks: string[];
  /** Commit authors and committers (excluded from approving unless allowed). */
  commitAuthors: boolean;
  /** Artifacts and lineage digest from the head's metadata.json files. */
  artifacts: boolean;
  /** Git LFS pointer oids of the artifacts. */
  lfs: boolean;
  /** Globs naming model files: the `metadata.json` beside each changed one is read too. */
  modelGlobs: string[];
  /** Changed paths the applicable rules protect: each is hashed from the head commit. */
  protectedPaths: string[];
}
