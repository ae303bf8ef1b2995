/**
 * The App as an AWS Lambda function, invoked locally the way API Gateway
 * invokes it: an HTTP API (payload 2.0) event with a base64 body and a REST
 * API (payload 1.0) event with mixed-case headers, each carrying a delivery
 * signed with the webhook secret. It talks to the GitHub double (answers
 * validated against GitHub's OpenAPI description) through GHE_HOST.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import { createApp } from '../../src/app/app.js';
import { realDeps } from '../../src/app/deps.js';
import { createLambdaHandler, type ApiGatewayEvent, type LambdaHandler } from '../../src/app/lambda.js';
import { GateError } from '../../src/core/errors.js';
import { pullRequestEvent } from '../helpers/app-harness.js';
import { developerAndRiskRepo } from '../helpers/app-release.js';
import { GitHubDouble } from '../helpers/github-double.js';

const REPO = 'acme/models';
const SECRET = 'lambda-secret-0123456789';
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('the App as a Lambda handler behind API Gateway', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const appId = 4545;
  const installation = 92;
  let gh: GitHubDouble;
  let handler: LambdaHandler;
  let env: Record<string, string>;

  beforeAll(async () => {
    gh = await GitHubDouble.start({ app: { id: appId, publicKey } });
    const main = developerAndRiskRepo(gh, REPO, { id: 701, installation });
    gh.commit(REPO, { branch: 'f1', parent: main, author: 'carol', changes: { 'models/churn/model.onnx': 'weights' } });
    gh.openPull(REPO, { number: 3, author: 'carol', base: 'main', head: 'f1' });
    gh.commit(REPO, { branch: 'f2', parent: main, author: 'carol', changes: { 'models/churn/model.onnx': 'other weights' } });
    gh.openPull(REPO, { number: 4, author: 'carol', base: 'main', head: 'f2' });
    env = {
      APP_ID: String(appId),
      PRIVATE_KEY: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      WEBHOOK_SECRET: SECRET,
      GHE_HOST: gh.host,
      GHE_PROTOCOL: 'http',
      MODEL_GATE_GITHUB_LIMITS: 'off',
      LOG_LEVEL: 'silent',
    };
    handler = createLambdaHandler(createApp({ ...realDeps(env), rediscoverEveryMs: 0 }), env);
  });
  afterAll(async () => gh?.close());
  afterEach(() => gh.assertContract());

  async function httpApiEvent(event: string, payload: Json, signature?: string): Promise<ApiGatewayEvent> {
    const body = JSON.stringify(payload);
    return {
      // An HTTP API (payload 2.0) event as API Gateway builds it: lower-case headers, a base64 body.
      ...({ version: '2.0', routeKey: 'POST /api/github/webhooks', rawPath: '/api/github/webhooks', requestContext: { http: { method: 'POST' } } } as object),
      headers: {
        'content-type': 'application/json',
        'x-github-event': event,
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': signature ?? (await sign(SECRET, body)),
        'user-agent': 'GitHub-Hookshot/lambda-test',
      },
      body: Buffer.from(body).toString('base64'),
      isBase64Encoded: true,
    };
  }

  test('a signed pull_request delivery (HTTP API, payload 2.0) is evaluated: 200 and a check run on the head', async () => {
    const res = await handler(await httpApiEvent('pull_request', pullRequestEvent(gh, REPO, 3, 'opened', installation)));
    expect(res.statusCode).toBe(200);
    const run = gh.latestCheckRun(gh.pull(REPO, 3).head.sha);
    expect(run?.name).toBe('model-release-gate');
    expect(run?.conclusion).toBe('failure'); // no approvals yet
  });

  test('a REST API (payload 1.0) event with GitHub\'s mixed-case headers and a plain body works the same', async () => {
    const payload = JSON.stringify(pullRequestEvent(gh, REPO, 4, 'opened', installation));
    const res = await handler({
      ...({ httpMethod: 'POST', path: '/api/github/webhooks' } as object),
      headers: { 'Content-Type': 'application/json', 'X-GitHub-Event': 'pull_request', 'X-GitHub-Delivery': randomUUID(), 'X-Hub-Signature-256': await sign(SECRET, payload) },
      body: payload,
      isBase64Encoded: false,
    });
    expect(res.statusCode).toBe(200);
    expect(gh.checkRunsFor(gh.pull(REPO, 4).head.sha).length).toBeGreaterThan(0);
  });

  test('a wrong signature gets 400 and asks GitHub nothing', async () => {
    const before = gh.requests.length;
    const res = await handler(await httpApiEvent('pull_request', pullRequestEvent(gh, REPO, 3, 'opened', installation), `sha256=${'0'.repeat(64)}`));
    expect(res.statusCode).toBe(400);
    expect(gh.requests.length).toBe(before);
  });

  test('a body over GitHub\'s 25 MB cap gets 413 before its signature is even checked', async () => {
    const res = await handler({ headers: { 'x-github-event': 'push', 'x-github-delivery': 'x', 'x-hub-signature-256': 'sha256=00' }, body: 'x'.repeat(25 * 1024 * 1024 + 1) });
    expect(res.statusCode).toBe(413);
  });

  test('a missing WEBHOOK_SECRET fails the cold start naming the variable', () => {
    const { WEBHOOK_SECRET: _s, ...without } = env;
    try {
      createLambdaHandler(createApp({ ...realDeps(without), rediscoverEveryMs: 0 }), without);
      throw new Error('expected a configuration error');
    } catch (e) {
      expect(e).toBeInstanceOf(GateError);
      expect((e as GateError).where).toBe('WEBHOOK_SECRET');
    }
  });
});
