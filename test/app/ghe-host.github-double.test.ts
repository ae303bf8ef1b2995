/**
 * GitHub Enterprise Server: with GHE_HOST (and GHE_PROTOCOL), the App and
 * `model-gate approve` send every request to that host under /api/v3, and
 * none elsewhere. A recording proxy stands for the GHES host, in front of the
 * GitHub double (whose answers are validated against GitHub's OpenAPI
 * description).
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCli } from '../../src/cli/program.js';
import { pullRequestEvent, tempDir, until } from '../helpers/app-harness.js';
import { startAppProcess, type AppProcess } from '../helpers/app-process.js';
import { developerAndRiskRepo } from '../helpers/app-release.js';
import { GitHubDouble } from '../helpers/github-double.js';

const REPO = 'acme/models';

interface Seen { host: string; path: string }

/** An HTTP proxy that records the Host header and path of each request and forwards it to `target`. */
async function recordingProxy(target: string): Promise<{ host: string; seen: Seen[]; close: () => Promise<void> }> {
  const to = new URL(target);
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ host: String(req.headers.host), path: (req.url ?? '').split('?')[0] });
    const fwd = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: to.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    fwd.on('error', () => res.writeHead(502).end());
    req.pipe(fwd);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { host, seen, close: () => new Promise((r) => server.close(() => r())) };
}

describe('GHE_HOST: requests go to the GitHub Enterprise Server host', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const appId = 4343;
  const installation = 91;
  let gh: GitHubDouble;
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  let app: AppProcess;
  const tmp = tempDir();

  beforeAll(async () => {
    gh = await GitHubDouble.start({ app: { id: appId, publicKey } });
    proxy = await recordingProxy(gh.url);
    const main = developerAndRiskRepo(gh, REPO, { id: 601, installation });
    gh.commit(REPO, { branch: 'release', parent: main, author: 'carol', changes: { 'models/churn/model.onnx': 'weights' } });
    gh.openPull(REPO, { number: 5, author: 'carol', base: 'main', head: 'release' });
    app = await startAppProcess(gh, {
      appId,
      privateKey,
      secret: 'ghe-secret-0123456789',
      env: { GHE_HOST: proxy.host, GHE_PROTOCOL: 'http', MODEL_GATE_REDISCOVER_SECONDS: '0' },
    });
  });
  afterAll(async () => {
    await app?.stop();
    await proxy?.close();
    await gh?.close();
    tmp.cleanup();
  });
  afterEach(() => gh.assertContract());

  test('the App: every GitHub request of an evaluation goes to GHE_HOST under /api/v3', async () => {
    const before = gh.requests.length;
    const res = await app.deliver('pull_request', pullRequestEvent(gh, REPO, 5, 'opened', installation));
    expect([200, 202]).toContain(res.status);
    await until(() => gh.checkRunsFor(gh.pull(REPO, 5).head.sha).length > 0);
    const made = gh.requests.length - before;
    expect(made).toBeGreaterThan(2);
    expect(proxy.seen.length).toBe(gh.requests.length);
    expect(proxy.seen.filter((s) => s.host !== proxy.host || !s.path.startsWith('/api/v3/'))).toEqual([]);
  });

  test('model-gate approve: with GHE_HOST and no GITHUB_API_URL, its requests go to that host under /api/v3', async () => {
    const from = proxy.seen.length;
    let out = '';
    let err = '';
    const code = await runCli(['approve', '--repo', REPO, '--pr', '5', '--statement-only'], {
      stdout: (t) => void (out += t),
      stderr: (t) => void (err += t),
      env: { GITHUB_TOKEN: gh.userToken('alice'), GHE_HOST: proxy.host, GHE_PROTOCOL: 'http', HOME: tmp.dir, PATH: process.env.PATH },
      cwd: tmp.dir,
      stderrIsTty: false,
    });
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ repository: REPO, pull_request: 5 });
    const mine = proxy.seen.slice(from);
    expect(mine.length).toBeGreaterThan(2);
    expect(mine.filter((s) => s.host !== proxy.host || !s.path.startsWith('/api/v3/'))).toEqual([]);
  });
});
