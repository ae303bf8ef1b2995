/**
 * The App as an AWS Lambda function behind API Gateway (REST API, payload
 * 1.0, or HTTP API, payload 2.0) or a function URL: the same app function as
 * `npm start`, with the same configuration checks (server-config.ts) and
 * GitHub's 25 MB body cap. Probot's own Lambda adapter targets Probot 13;
 * this one uses only what Probot 14 offers (`load`, `webhooks.verify`,
 * `webhooks.receive`).
 *
 * The function answers when the evaluation is done, so give it a timeout of
 * at least 30 s; GitHub records a delivery unanswered after 10 s as failed.
 */
import type { ApplicationFunction, Probot } from 'probot';
import { createApp } from './app.js';
import { realDeps } from './deps.js';
import { createGateProbot } from './probot-instance.js';
import { readServerConfig } from './server-config.js';

/** The parts of an API Gateway (or function URL) event a delivery needs. */
export interface ApiGatewayEvent {
  headers?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
}

export interface ApiGatewayResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export type LambdaHandler = (event: ApiGatewayEvent) => Promise<ApiGatewayResult>;

const reply = (statusCode: number, body: object): ApiGatewayResult => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: `${JSON.stringify(body)}\n`,
});

/**
 * A Lambda handler for `appFn`. The environment is checked here, at cold
 * start: a missing variable fails the function's initialisation with the
 * variable named (GateError E_CONFIG), as the server exits 2.
 */
export function createLambdaHandler(appFn: ApplicationFunction, env: Record<string, string | undefined> = process.env): LambdaHandler {
  const config = readServerConfig(env);
  const probot: Probot = createGateProbot({ LOG_FORMAT: 'json', ...env }, config);
  const loaded = probot.load(appFn, { cwd: process.cwd(), addHandler: () => {} });
  return async (event) => {
    await loaded;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
    const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
    if (body.length > config.maxBodyBytes) {
      return reply(413, { error: `payload too large: GitHub sends at most ${config.maxBodyBytes} bytes` });
    }
    const id = headers['x-github-delivery'];
    const name = headers['x-github-event'];
    const signature = headers['x-hub-signature-256'];
    if (!id || !name || !signature) {
      return reply(400, { error: 'not a GitHub webhook delivery: x-github-delivery, x-github-event and x-hub-signature-256 are required' });
    }
    const payload = body.toString('utf8');
    if (!(await probot.webhooks.verify(payload, signature))) {
      return reply(400, { error: 'signature does not match event payload and secret' });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload);
    } catch {
      return reply(400, { error: 'the payload is not JSON' });
    }
    try {
      await probot.webhooks.receive({ id, name, payload: parsed } as Parameters<Probot['webhooks']['receive']>[0]);
    } catch (e) {
      probot.log.error({ err: e, id, name }, 'delivery failed');
      return reply(500, { error: 'the delivery failed; GitHub can redeliver it' });
    }
    return reply(200, { ok: true });
  };
}

let real: LambdaHandler | undefined;

/**
 * The function to configure in AWS Lambda (`lib/src/app/lambda.handler`).
 * No periodic rediscovery of waiting deployments, and no recovery pass for
 * lost deliveries, runs inside a function that lives only per request:
 * schedule them elsewhere (a server replica does both).
 */
export const handler: LambdaHandler = (event) => {
  real ??= createLambdaHandler(createApp({ ...realDeps(process.env), rediscoverEveryMs: 0, recoverEveryMs: 0 }));
  return real(event);
};
