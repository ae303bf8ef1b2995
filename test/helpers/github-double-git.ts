/**
 * The GitHub double's Git Data API (a route table of its own, installed by
 * GitHubDouble): trees with their file modes, and blobs, as GitHub documents
 * them. Object ids are git's own (a blob's id is SHA-1 over `blob <size>\0`
 * and the bytes; a tree's over its entries), so the same bytes always have
 * the same id, as on GitHub.
 *
 * Documented behaviour modelled here:
 * - `GET .../git/trees/{tree_sha}` takes "the SHA1 value or ref name for that
 *   tree" (a commit sha or branch resolves to its tree); `recursive` lists
 *   every entry below; a recursive listing stops at 100,000 entries
 *   (`truncated: true`; `treeEntryLimit` lowers it for tests), and GitHub then
 *   asks clients to fetch one sub-tree at a time;
 * - modes `100644`, `100755` (blobs), `120000` (symlink: a blob holding the
 *   target), `040000` (tree), `160000` (submodule: type `commit`, no size);
 * - `GET .../git/blobs/{file_sha}`: base64 content, "blobs up to 100
 *   megabytes" (`blobSizeLimit`; larger ones get 403 `too_large`).
 */
import { createHash } from 'node:crypto';
import { exampleResponse } from './github-double-contract.js';
import { basicError, bytesOf, gitBlobSha, notFound, type CommitState, type GitHubDouble, type RepoState } from './github-double.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface TreeEntry {
  name: string;
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  size?: number;
}

interface TreeObject {
  sha: string;
  entries: TreeEntry[];
}

/** Git objects computed from the double's commits, per repository. */
export class GitObjects {
  /** GitHub's limit on a recursive tree listing (entries). */
  treeEntryLimit = 100_000;
  /** GitHub's limit on the blobs API (bytes). */
  blobSizeLimit = 100 * 1024 * 1024;
  private readonly trees = new Map<string, TreeObject>();
  private readonly blobs = new Map<string, Buffer>();
  private readonly rootOf = new Map<string, string>();

  constructor(private readonly gh: GitHubDouble) {
    this.defineRoutes();
  }

  /** The root tree id of a commit (git's own id of that tree). */
  rootTree(c: CommitState): string {
    const known = this.rootOf.get(c.sha);
    if (known) return known;
    const sha = this.build(c, '');
    this.rootOf.set(c.sha, sha);
    return sha;
  }

  private build(c: CommitState, dir: string): string {
    const prefix = dir === '' ? '' : `${dir}/`;
    const names = new Map<string, 'file' | 'dir'>();
    for (const p of c.tree.keys()) {
      if (!p.startsWith(prefix)) continue;
      const rest = p.slice(prefix.length);
      const i = rest.indexOf('/');
      if (i < 0) names.set(rest, 'file');
      else names.set(rest.slice(0, i), 'dir');
    }
    const entries: TreeEntry[] = [];
    for (const [name, kind] of names) {
      const path = `${prefix}${name}`;
      if (kind === 'dir') {
        entries.push({ name, mode: '040000', type: 'tree', sha: this.build(c, path) });
        continue;
      }
      const mode = c.modes.get(path) ?? '100644';
      const content = c.tree.get(path)!;
      if (mode === '160000') {
        entries.push({ name, mode, type: 'commit', sha: bytesOf(content).toString('utf8') });
        continue;
      }
      const bytes = bytesOf(content);
      const sha = gitBlobSha(bytes);
      this.blobs.set(sha, bytes);
      entries.push({ name, mode, type: 'blob', sha, size: bytes.length });
    }
    // Git orders tree entries by name, a directory as if its name ended in "/".
    const key = (e: TreeEntry) => Buffer.from(e.type === 'tree' ? `${e.name}/` : e.name);
    entries.sort((a, b) => Buffer.compare(key(a), key(b)));
    const body = Buffer.concat(
      entries.map((e) => Buffer.concat([Buffer.from(`${e.mode === '040000' ? '40000' : e.mode} ${e.name}\0`), Buffer.from(e.sha, 'hex')])),
    );
    const sha = createHash('sha1').update(`tree ${body.length}\0`).update(body).digest('hex');
    this.trees.set(sha, { sha, entries });
    return sha;
  }

  private treeOf(r: RepoState, ref: string): TreeObject | undefined {
    if (this.trees.has(ref)) return this.trees.get(ref);
    const c = this.gh.resolveRef(r, ref);
    if (!c) {
      // A tree id of a commit not yet built: build every commit's trees once.
      for (const commit of r.commits.values()) this.rootTree(commit);
      return this.trees.get(ref);
    }
    return this.trees.get(this.rootTree(c));
  }

  private defineRoutes(): void {
    const gh = this.gh;
    gh.route('GET', '/repos/{owner}/{repo}/git/trees/{tree_sha}', (ctx) => {
      const r = gh.repos.get(`${ctx.params.owner}/${ctx.params.repo}`);
      if (!r) return notFound();
      const root = this.treeOf(r, ctx.params.tree_sha);
      if (!root) return notFound();
      const full = `${r.owner}/${r.name}`;
      // GitHub: any value of `recursive` (even "false" or 0) turns recursion on.
      const recursive = ctx.query.recursive !== undefined;
      const rows: Json[] = [];
      let truncated = false;
      const walk = (t: TreeObject, prefix: string) => {
        for (const e of t.entries) {
          if (recursive && rows.length >= this.treeEntryLimit) {
            truncated = true;
            return;
          }
          const row: Json = { path: `${prefix}${e.name}`, mode: e.mode, type: e.type, sha: e.sha };
          if (e.type === 'blob') {
            row.size = e.size;
            row.url = `${gh.apiUrl}/repos/${full}/git/blobs/${e.sha}`;
          } else if (e.type === 'tree') {
            row.url = `${gh.apiUrl}/repos/${full}/git/trees/${e.sha}`;
          }
          rows.push(row);
          if (recursive && e.type === 'tree') walk(this.trees.get(e.sha)!, `${prefix}${e.name}/`);
        }
      };
      walk(root, '');
      const j = exampleResponse('/repos/{owner}/{repo}/git/trees/{tree_sha}', 'get', 200) as Json;
      Object.assign(j, { sha: root.sha, url: `${gh.apiUrl}/repos/${full}/git/trees/${root.sha}`, tree: rows, truncated });
      return { status: 200, body: j };
    });

    gh.route('GET', '/repos/{owner}/{repo}/git/blobs/{file_sha}', (ctx) => {
      const r = gh.repos.get(`${ctx.params.owner}/${ctx.params.repo}`);
      if (!r) return notFound();
      let bytes = this.blobs.get(ctx.params.file_sha);
      if (!bytes) {
        for (const commit of r.commits.values()) this.rootTree(commit);
        bytes = this.blobs.get(ctx.params.file_sha);
      }
      if (!bytes) return notFound();
      if (bytes.length > this.blobSizeLimit) {
        return {
          status: 403,
          body: {
            ...basicError('This API returns blobs up to 100 MB in size. The requested blob is too large to fetch via the API.'),
            errors: [{ resource: 'Blob', field: 'data', code: 'too_large' }],
          },
        };
      }
      const full = `${r.owner}/${r.name}`;
      const j = exampleResponse('/repos/{owner}/{repo}/git/blobs/{file_sha}', 'get', 200) as Json;
      Object.assign(j, {
        sha: ctx.params.file_sha,
        node_id: `B_${ctx.params.file_sha.slice(0, 16)}`,
        size: bytes.length,
        url: `${gh.apiUrl}/repos/${full}/git/blobs/${ctx.params.file_sha}`,
        // GitHub wraps the base64 at 60 columns, with a trailing newline.
        content: `${(bytes.toString('base64').match(/.{1,60}/g) ?? ['']).join('\n')}\n`,
        encoding: 'base64',
      });
      delete j.highlighted_content;
      return { status: 200, body: j };
    });
  }
}
