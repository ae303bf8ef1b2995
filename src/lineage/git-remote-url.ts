/**
 * A git remote URL as it may be recorded: credentials removed.
 *
 * - `scheme://userinfo@host/path` (https, http, ftp, git, ...): the whole
 *   userinfo goes (a token is often the user name: `https://ghp_x@github.com/`),
 *   and so do a query and a fragment (`?access_token=`).
 * - `ssh://user:password@host/path` and `git+ssh://`: the password goes, the
 *   user stays (it is not a secret: ssh authenticates with keys).
 * - scp-like `user@host:path` and local paths: kept as they are (they carry no
 *   password); `user:password@host:path` loses the password.
 *
 * Pure; works on the text, so nothing else of the URL is re-encoded.
 */
export function remoteUrlWithoutCredentials(url: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/s.exec(url);
  if (!m) {
    // scp-like `user:password@host:path` (not a form git accepts, but a
    // password must not be recorded even from a broken remote).
    const scp = /^([^/:@]*):[^/@]*@(.*)$/s.exec(url);
    return scp ? `${scp[1]}@${scp[2]}` : url;
  }
  const [, scheme, authority, rest] = m as unknown as [string, string, string, string];
  const at = authority.lastIndexOf('@');
  const host = at < 0 ? authority : authority.slice(at + 1);
  const userinfo = at < 0 ? undefined : authority.slice(0, at);
  const ssh = /(^|\+)ssh$/i.test(scheme) || /^ssh\+/i.test(scheme);
  let keptUser = '';
  if (ssh && userinfo !== undefined) {
    const colon = userinfo.indexOf(':');
    keptUser = `${colon < 0 ? userinfo : userinfo.slice(0, colon)}@`;
  }
  const path = ssh ? rest : rest.replace(/[?#].*$/s, '');
  return `${scheme}://${keptUser}${host}${path}`;
}
