/**
 * The Git Data API: where a branch points now, and, behind
 * {@link GitObjectSource}, a commit's tree (with the
 * file modes the contents API hides: it follows symbolic links to their
 * target's content) and blobs by object id.
 *
 * Cost: one recursive tree listing per commit, then one request per distinct
 * blob. GitHub stops a recursive listing at 100,000 entries or 7 MB
 * (`truncated: true`) and asks clients to fetch one sub-tree at a time; a path
 * the truncated listing does not show is then looked up directory by
 * directory, so a large repository never makes a present file look absent.
 */
import { createHash } from 'node:crypto';
import { GateError } from '../core/errors.js';
import type { GitObjectSource, TreeEntry } from '../approval/pull-request-source.js';
import type { GitHubClient, Json } from './client.js';

/** A per-event cache: `fn` runs once per key. */
export type Once = <T>(key: string, fn: () => Promise<T>) => Promise<T>;

/** The commit `branch` points to now. */
export async function branchSha(gh: GitHubClient, owner: string, repo: string, branch: string): Promise<string> {
  const res = await gh.request('GET /repos/{owner}/{repo}/git/ref/{ref}', { owner, repo, ref: `heads/${branch}` }, { allow404: true });
  const sha = (res.data as { object?: { sha?: unknown } } | null)?.object?.sha;
  if (res.status === 404 || typeof sha !== 'string') {
    throw new GateError('E_GITHUB', `branch ${branch} does not exist in ${owner}/${repo}`, { where: gh.where });
  }
  return sha;
}

interface Listing {
  entries: Map<string, TreeEntry>;
  truncated: boolean;
}

/** A reader over the Git Data API, cached for the life of one event. */
export function githubGitObjects(gh: GitHubClient, owner: string, repo: string, once: Once): GitObjectSource {
  const full = `${owner}/${repo}`;
  const call = (route: string, params: Record<string, unknown>) => gh.request(route, params, { allow404: true });

  const listing = (treeish: string, recursive: boolean): Promise<Listing> =>
    once(`tree:${recursive ? 'r' : 'f'}:${treeish}`, async () => {
      const res = await call('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', {
        owner,
        repo,
        tree_sha: treeish,
        ...(recursive ? { recursive: 1 } : {}),
      });
      if (res.status === 404) {
        throw new GateError('E_GITHUB', `GitHub has no tree ${treeish.slice(0, 12)}`, { where: full });
      }
      const d = res.data as Json;
      if (!Array.isArray(d.tree)) throw new GateError('E_GITHUB', `GitHub's tree ${treeish.slice(0, 12)} has no entries list`, { where: full });
      const entries = new Map<string, TreeEntry>();
      for (const e of d.tree as Json[]) {
        entries.set(String(e.path), {
          path: String(e.path),
          mode: String(e.mode),
          type: e.type as TreeEntry['type'],
          sha: String(e.sha),
          ...(typeof e.size === 'number' ? { size: e.size } : {}),
        });
      }
      return { entries, truncated: d.truncated === true };
    });

  /** One directory level at a time, from the commit's root (after a truncated recursive listing). */
  const walk = async (commit: string, path: string): Promise<TreeEntry | null> => {
    const parts = path.split('/');
    let treeish = commit;
    for (let i = 0; i < parts.length; i++) {
      const level = await listing(treeish, false);
      const e = level.entries.get(parts[i]);
      if (!e) return null;
      if (i === parts.length - 1) return { ...e, path };
      if (e.type !== 'tree') return null; // a file where a directory would be
      treeish = e.sha;
    }
    return null;
  };

  return {
    async treeEntry(commit, path) {
      const all = await listing(commit, true);
      const hit = all.entries.get(path);
      if (hit) return hit;
      return all.truncated ? walk(commit, path) : null;
    },

    blob: (sha) =>
      once(`blob:${sha}`, async () => {
        let res;
        try {
          res = await call('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', { owner, repo, file_sha: sha });
        } catch (e) {
          const status = (e as { cause?: { status?: number } }).cause?.status;
          if (status === 403 && /too.?large|100 MB/i.test(String((e as Error).message))) {
            throw new GateError('E_GITHUB', `blob ${sha.slice(0, 12)} is larger than GitHub's blobs API serves (100 MB)`, {
              where: full,
              cause: e,
              hint: 'store model files over 100 MB in Git LFS (GitHub refuses files over 100 MB outside LFS anyway)',
            });
          }
          throw e;
        }
        if (res.status === 404) throw new GateError('E_GITHUB', `GitHub has no blob ${sha.slice(0, 12)}`, { where: full });
        const d = res.data as Json;
        if (d.encoding !== 'base64' || typeof d.content !== 'string') {
          throw new GateError('E_GITHUB', `GitHub sent blob ${sha.slice(0, 12)} as ${String(d.encoding)}, not base64`, { where: full });
        }
        const bytes = Buffer.from(d.content, 'base64');
        // The bytes must be the object the tree names: git's id is SHA-1 over
        // "blob <size>\0" and the content.
        const id = createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
        if (id !== sha) {
          throw new GateError('E_GITHUB', `the bytes GitHub sent for blob ${sha.slice(0, 12)} hash to ${id.slice(0, 12)}`, { where: full });
        }
        return bytes;
      }),
  };
}
