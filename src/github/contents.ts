/**
 * A file's text at a commit, through the contents API
 * (`GET /repos/{owner}/{repo}/contents/{path}?ref=`): the policy, key files
 * and metadata.json are read this way. GitHub inlines a file's content as
 * base64 only up to 1 MB, and answers a directory with a list.
 */
import { GateError } from '../core/errors.js';
import type { GitHubClient, Json } from './client.js';

/** What the contents API holds at a path. */
export type Contents =
  | { kind: 'file'; text: string }
  | { kind: 'absent' }
  | { kind: 'not-a-file' }
  /** Over the 1 MB the contents API inlines. */
  | { kind: 'too-large' };

/** What `ref` holds at `path` (404: absent; other failures throw). */
export async function readContents(gh: GitHubClient, owner: string, repo: string, ref: string, path: string): Promise<Contents> {
  const res = await gh.request('GET /repos/{owner}/{repo}/contents/{path}', { owner, repo, path, ref }, { allow404: true });
  if (res.status === 404 || res.data === null) return { kind: 'absent' };
  const d = res.data as Json;
  if (Array.isArray(d) || d.type !== 'file') return { kind: 'not-a-file' };
  if (d.encoding !== 'base64' || typeof d.content !== 'string') return { kind: 'too-large' };
  return { kind: 'file', text: Buffer.from(d.content, 'base64').toString('utf8') };
}

/** A file's text at `ref`, or null when there is none; a directory or a file over 1 MB is an error. */
export async function fileText(gh: GitHubClient, owner: string, repo: string, ref: string, path: string): Promise<string | null> {
  const c = await readContents(gh, owner, repo, ref, path);
  if (c.kind === 'absent') return null;
  if (c.kind === 'not-a-file') throw new GateError('E_GITHUB', `${path} at ${ref.slice(0, 12)} is not a file`, { where: gh.where });
  if (c.kind === 'too-large') {
    throw new GateError('E_GITHUB', `${path} at ${ref.slice(0, 12)} is too large to read through the contents API`, {
      where: gh.where,
      hint: 'keep policy, metadata.json and key files under 1 MB',
    });
  }
  return c.text;
}
