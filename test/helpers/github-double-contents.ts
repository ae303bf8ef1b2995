/**
 * The GitHub double's repository contents (a route table of its own,
 * installed by GitHubDouble): a file at a commit or branch (base64, wrapped
 * at 60 columns, none above 1 MB), a symbolic link as GitHub documents it
 * (the target file's content when it is a normal file in the repository,
 * otherwise the link itself), a submodule, and a branch's ref.
 */
import { componentExample } from './github-double-contract.js';
import { bytesOf, gitBlobSha, notFound, type GitHubDouble } from './github-double.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export class ContentsDouble {
  constructor(private readonly gh: GitHubDouble) {
    this.defineRoutes();
  }

  private defineRoutes(): void {
    this.gh.route('GET', '/repos/{owner}/{repo}/contents/{path}', (ctx) => {
      const r = this.gh.repoOf(ctx);
      if ('status' in r) return r;
      const c = this.gh.resolveRef(r, ctx.query.ref);
      if (!c) return notFound();
      let path = decodeURIComponent(ctx.params.path);
      const full = `${r.owner}/${r.name}`;
      let mode = c.modes.get(path);
      const links = (p: string, sha: string) => ({
        url: `${this.gh.apiUrl}/repos/${full}/contents/${p}`,
        git_url: `${this.gh.apiUrl}/repos/${full}/git/blobs/${sha}`,
        html_url: `${this.gh.url}/${full}/blob/${c.sha}/${p}`,
        download_url: `${this.gh.url}/${full}/raw/${c.sha}/${p}`,
      });
      if (mode === '120000') {
        // GitHub's documented behaviour: "If the content is a symlink and the
        // symlink's target is a normal file in the repository, then the API
        // responds with the content of the file. Otherwise, the API responds
        // with an object describing the symlink itself."
        const target = bytesOf(c.tree.get(path)!).toString('utf8');
        const resolved = posixJoin(path, target);
        if (resolved !== null && c.tree.has(resolved) && !c.modes.has(resolved)) {
          path = resolved;
          mode = undefined;
        } else {
          const sha = gitBlobSha(Buffer.from(target));
          const j: Json = { type: 'symlink', target, size: target.length, name: path.split('/').pop(), path, sha, ...links(path, sha) };
          j._links = { self: j.url, git: j.git_url, html: j.html_url };
          return { status: 200, body: j };
        }
      }
      const content = c.tree.get(path);
      if (content === undefined) return notFound();
      if (mode === '160000') {
        const sha = bytesOf(content).toString('utf8');
        const j = componentExample('content-file-response-if-content-is-a-submodule') as Json;
        Object.assign(j, { type: 'submodule', size: 0, name: path.split('/').pop(), path, sha, ...links(path, sha), git_url: null, html_url: null, download_url: null });
        j._links = { self: j.url, git: null, html: null };
        return { status: 200, body: j };
      }
      const buf = bytesOf(content);
      const sha = gitBlobSha(buf);
      const j = componentExample('content-file-response-if-content-is-a-file') as Json;
      // Above 1 MB the JSON media type carries no content (GitHub: "Between
      // 1-100 MB: Only the raw or object custom media types are supported").
      const inline = buf.length <= 1024 * 1024;
      Object.assign(j, {
        type: 'file',
        encoding: inline ? 'base64' : 'none',
        size: buf.length,
        name: path.split('/').pop(),
        path,
        // GitHub wraps base64 at 60 columns in this API.
        content: inline ? (buf.toString('base64').match(/.{1,60}/g) ?? ['']).join('\n') : '',
        sha,
        ...links(path, sha),
      });
      j._links = { self: j.url, git: j.git_url, html: j.html_url };
      return { status: 200, body: j };
    });

    this.gh.route('GET', '/repos/{owner}/{repo}/git/ref/{ref}', (ctx) => {
      const r = this.gh.repoOf(ctx);
      if ('status' in r) return r;
      const m = /^heads\/(.+)$/.exec(ctx.params.ref);
      const sha = m ? r.branches.get(m[1]) : undefined;
      if (!sha) return notFound();
      const full = `${r.owner}/${r.name}`;
      return {
        status: 200,
        body: {
          ref: `refs/${ctx.params.ref}`,
          node_id: `REF_${sha.slice(0, 12)}`,
          url: `${this.gh.apiUrl}/repos/${full}/git/refs/${ctx.params.ref}`,
          object: { type: 'commit', sha, url: `${this.gh.apiUrl}/repos/${full}/git/commits/${sha}` },
        },
      };
    });
  }
}

/** The path a relative symlink target names (null when it leaves the repository). */
function posixJoin(linkPath: string, target: string): string | null {
  if (target.startsWith('/')) return null;
  const parts = linkPath.split('/').slice(0, -1);
  for (const seg of target.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(seg);
  }
  return parts.join('/');
}
