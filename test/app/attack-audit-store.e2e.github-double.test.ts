/**
 * Attacks on where the App writes its audit records (issue 10, item 6),
 * through the App server over HTTP: a policy on an attacker's branch used to
 * choose the store (any `file://` directory, created for it) and any
 * `?endpoint=` the App would send signed S3 requests to.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { appSuite } from '../helpers/app-harness.js';
import { Scenario } from '../helpers/app-release.js';
import { policyText } from '../helpers/policies.js';

const REPO = 'acme/stores';
const POLICY = policyText('developer-and-risk');

describe('attacks on where the App writes its audit records, through the App', () => {
  const suite = appSuite({ tmpPrefix: 'mrg-attack-store-', env: { AWS_ACCESS_KEY_ID: 'AKIAAPPCREDENTIALS', AWS_SECRET_ACCESS_KEY: 'app-secret', AWS_REGION: 'us-east-1' } });
  let s: Scenario;
  let trap: Server;
  let trapped = 0;

  beforeAll(async () => {
    // A server standing in for an S3 endpoint of the attacker's: it must never hear from the App.
    trap = createServer((req, res) => {
      trapped++;
      res.writeHead(500).end();
    });
    await new Promise<void>((r) => trap.listen(0, '127.0.0.1', r));
    s = Scenario.create(suite.app, { repo: REPO, installation: 64, dir: suite.dir, policy: POLICY });
  }, 60000);
  afterAll(() => trap?.close());

  it('attack: a policy on the attacker\'s branch names a file:// store: the App never creates or writes it', async () => {
    const { gh } = suite.app;
    const evilDir = join(suite.dir, 'chosen-by-mallory', 'deep');
    gh.commit(REPO, {
      branch: 'evil-base',
      parent: gh.repo(REPO).branches.get('main'),
      changes: { '.github/model-release-gate.yml': `${POLICY}audit:\n  store: file://${evilDir}\n` },
      author: 'mallory',
    });
    const rel = s.openRelease({ base: 'evil-base', author: 'mallory' });
    const run = await s.evaluate(rel.number);
    expect(run.status).toBe('completed');
    expect(existsSync(join(suite.dir, 'chosen-by-mallory'))).toBe(false);
  });

  it('attack: a policy names an S3 endpoint the App\'s configuration does not allow: no request reaches it, the gate fails closed saying why', async () => {
    const { gh } = suite.app;
    const endpoint = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`;
    gh.commit(REPO, {
      branch: 'main',
      changes: { '.github/model-release-gate.yml': `${POLICY}audit:\n  store: s3://audit-bucket/models?region=us-east-1&endpoint=${encodeURIComponent(endpoint)}\n` },
    });
    const rel = s.openRelease();
    const run = await s.evaluate(rel.number);
    expect(run.conclusion).toBe('failure');
    expect(run.output.summary).toContain(`names the S3 endpoint ${endpoint}, which the App's configuration does not allow`);
    expect(trapped).toBe(0);
  });
});
