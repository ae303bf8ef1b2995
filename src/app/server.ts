/**
 * `npm start`: the App as a Node HTTP server. Probot's usual environment:
 * APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, WEBHOOK_PATH,
 * GHE_HOST (+ GHE_PROTOCOL) for GitHub Enterprise Server, LOG_LEVEL,
 * LOG_FORMAT=json for structured logs; PORT (default 3000; 0 picks a free
 * one) and HOST. MODEL_GATE_GITHUB_LIMITS=off turns off Octokit's throttling
 * and retries (tests against a local double only; GitHub needs them).
 * A missing or wrong variable stops it at once: one line naming the
 * variable, exit 2 (server-config.ts).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeMiddleware } from 'probot';
import { ExitCode, isGateError } from '../core/errors.js';
import { createApp } from './app.js';
import { realDeps } from './deps.js';
import { createGateProbot } from './probot-instance.js';
import { configErrorLine, readServerConfig, type ServerConfig } from './server-config.js';
import { readCappedBody } from './webhook-body.js';
import { workQueue } from './work-queue.js';

// Structured (JSON) logs in production unless LOG_FORMAT says otherwise, as `probot run` does.
const env: Record<string, string | undefined> = {
  ...process.env,
  LOG_FORMAT: process.env.LOG_FORMAT || (process.env.NODE_ENV === 'production' ? 'json' : undefined),
};

let config: ServerConfig;
let deps: ReturnType<typeof realDeps>;
try {
  config = readServerConfig(env);
  deps = realDeps(env); // MODEL_GATE_S3_ENDPOINTS and the like fail here, named
} catch (e) {
  if (!isGateError(e)) throw e;
  process.stderr.write(`${configErrorLine(e)}\n`);
  process.exit(ExitCode.usage);
}

const probot = createGateProbot(env, config);
// Deliveries are answered once the in_progress check run is written; the
// evaluation continues in this bounded queue (MODEL_GATE_CONCURRENCY, default 4).
const background = workQueue(Number(env.MODEL_GATE_CONCURRENCY ?? 4), probot.log);
const middleware = await createNodeMiddleware(createApp({ ...deps, background }), {
  probot,
  webhooksPath: config.webhookPath,
});

const server = createServer((req, res) => {
  void (async () => {
    // Deliveries are read here, with GitHub's size cap, before the middleware buffers them.
    if (req.method === 'POST' && (req.url ?? '').split('?')[0] === config.webhookPath) {
      const read = await readCappedBody(req, res, config.maxBodyBytes).catch(() => false); // a client that hung up
      if (!read) return;
    }
    await middleware(req, res, () => {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}\n');
    });
  })();
});
server.keepAliveTimeout = 65_000; // longer than common load balancers' idle timeout

server.listen(config.port, config.host, () => {
  const a = server.address() as AddressInfo;
  probot.log.info({ port: a.port, host: a.address }, 'model-release-gate listening');
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    probot.log.info({ signal }, 'shutting down');
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5000).unref();
  });
}
