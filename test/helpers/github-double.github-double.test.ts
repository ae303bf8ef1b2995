import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { GitHubDouble } from './github-double.js';
import { validateResponse } from './github-double-contract.js';

describe('the GitHub REST double, validated by GitHub\'s OpenAPI description', () => {
  let gh: GitHubDouble;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let token = '';

  beforeAll(async () => {
    gh = await GitHubDouble.start({ app: { id: 42, publicKey } });
    gh.addRepo('acme/models', { id: 7 });
    gh.addInstallation('acme', 99);
    gh.setTeam('acme', 'ml', ['alice', 'bob']);
    gh.addSigningKey('alice', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDummyDummyDummyDummyDummyDummyDummyDummy alice');
    const base = gh.commit('acme/models', { changes: { 'README.md': 'hi\n' }, branch: 'main' });
    gh.commit('acme/models', { parent: base, changes: { 'models/a.onnx': 'x' }, branch: 'feature', author: 'carol' });
    gh.openPull('acme/models', { number: 5, author: 'carol', base: 'main', head: 'feature' });
    gh.addReview('acme/models', 5, { login: 'alice', state: 'APPROVED' });
    const jwt = await new SignJWT({ iss: '42' })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    const res = await fetch(`${gh.apiUrl}/app/installations/99/access_tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${jwt}` },
    });
    expect(res.status).toBe(201);
    token = ((await res.json()) as { token: string }).token;
  });
  afterAll(async () => gh.close());

  const get = async (path: string) => {
    const res = await fetch(`${gh.apiUrl}${path}`, { headers: { authorization: `token ${token}` } });
    return { status: res.status, body: (await res.json()) as any, link: res.headers.get('link') }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  it('serves every route it knows with shapes GitHub documents', async () => {
    const pr = await get('/repos/acme/models/pulls/5');
    expect(pr.body.head.sha).toBe(gh.pull('acme/models', 5).head.sha);
    expect((await get('/repos/acme/models/pulls/5/files')).body.map((f: { filename: string }) => f.filename)).toEqual(['models/a.onnx']);
    expect((await get('/repos/acme/models/pulls/5/reviews')).body[0].user.login).toBe('alice');
    expect((await get('/repos/acme/models/pulls/5/commits')).body[0].author.login).toBe('carol');
    expect((await get('/orgs/acme/teams/ml/members')).body.map((u: { login: string }) => u.login)).toEqual(['alice', 'bob']);
    expect((await get('/orgs/acme/teams/ml/memberships/alice')).body.state).toBe('active');
    expect((await get('/orgs/acme/teams/ml/memberships/carol')).status).toBe(404);
    expect((await get('/users/alice/ssh_signing_keys')).body).toHaveLength(1);
    const readme = await get('/repos/acme/models/contents/README.md?ref=main');
    expect(Buffer.from(readme.body.content, 'base64').toString()).toBe('hi\n');
    expect((await get('/repos/acme/models/contents/nope.txt?ref=main')).status).toBe(404);
    expect((await get('/repos/acme/models/compare/main...feature')).body.status).toBe('ahead');
    expect((await get(`/repos/acme/models/commits/${gh.pull('acme/models', 5).head.sha}/pulls`)).body[0].number).toBe(5);
    const created = await fetch(`${gh.apiUrl}/repos/acme/models/check-runs`, {
      method: 'POST',
      headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'model-release-gate', head_sha: 'a'.repeat(40), conclusion: 'success', output: { title: 't', summary: 's' } }),
    });
    expect(created.status).toBe(201);
    expect((await get(`/repos/acme/models/commits/${'a'.repeat(40)}/check-runs?check_name=model-release-gate`)).body.total_count).toBe(1);
    gh.assertContract();
  });

  it('paginates with Link headers like GitHub (per_page at most 100)', async () => {
    const members = Array.from({ length: 250 }, (_, i) => `user${i}`);
    gh.setTeam('acme', 'big', members);
    const first = await get('/orgs/acme/teams/big/members?per_page=100');
    expect(first.body).toHaveLength(100);
    expect(first.link).toMatch(/page=2>; rel="next"/);
    const last = await get('/orgs/acme/teams/big/members?per_page=100&page=3');
    expect(last.body).toHaveLength(50);
    expect(last.link).not.toMatch(/rel="next"/);
  });

  it('refuses requests without credentials, and app JWTs signed by another key', async () => {
    expect((await fetch(`${gh.apiUrl}/repos/acme/models/pulls/5`)).status).toBe(401);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const jwt = await new SignJWT({ iss: '42' }).setProtectedHeader({ alg: 'RS256' }).setIssuedAt().setExpirationTime('5m').sign(other);
    const res = await fetch(`${gh.apiUrl}/app/installations/99/access_tokens`, { method: 'POST', headers: { authorization: `Bearer ${jwt}` } });
    expect(res.status).toBe(401);
  });

  it('the contract check rejects a response GitHub would never send', () => {
    expect(() => validateResponse('/repos/{owner}/{repo}/pulls/{pull_number}/reviews', 'get', 200, [{ id: 'x' }])).toThrow(
      /does not match GitHub's OpenAPI description/,
    );
    expect(() => validateResponse('/users/{username}/ssh_signing_keys', 'get', 200, [{ key: 'ssh-ed25519 AAAA', id: 1, title: 't', created_at: '2026-01-01T00:00:00Z' }])).not.toThrow();
    expect(() => validateResponse('/users/{username}/ssh_signing_keys', 'get', 418, {})).toThrow(/not in GitHub's OpenAPI description/);
  });
});
