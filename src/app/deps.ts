/**
 * The App's real dependencies: the GitHub-backed facts source, the audit
 * store adapters and the system clock. Tests build their own.
 */
import type { AppDeps } from './app.js';
import { githubPullRequestSource } from '../github/pull-request-source.js';
import { openStore } from '../audit/open-store.js';
import { signingKeyFromEnv } from '../audit/append-checkpoint.js';
import { serviceNowFromEnv } from './servicenow-env.js';
import { auditConfigFromEnv } from './audit-env.js';
import { appStreamerFromEnv } from '../audit/stream/front-config.js';

/** Dependencies for the running server (S3 credentials and region come from `env`). */
export function realDeps(env: Record<string, string | undefined>): AppDeps {
  return {
    sourceFor: githubPullRequestSource,
    openAuditStore: (url) => openStore(url, { env }),
    checkpointKey: signingKeyFromEnv(env),
    // MODEL_GATE_KAFKA_BROKERS and _TOPIC: publish the log to Kafka after each append (docs/audit-stream.md).
    auditStream: appStreamerFromEnv(env),
    clock: () => new Date(),
    changeManagementFor: serviceNowFromEnv(env),
    // Waiting deployments are looked for at startup and then every
    // MODEL_GATE_REDISCOVER_SECONDS (default 300; 0 turns it off).
    rediscoverEveryMs: Number(env.MODEL_GATE_REDISCOVER_SECONDS ?? 300) * 1000,
    // Audit stores and allowed S3 endpoints from the App's own configuration.
    audit: auditConfigFromEnv(env),
    // Lost deliveries and abandoned evaluations are looked for at startup and
    // then every MODEL_GATE_RECOVER_SECONDS (default 300; 0 turns it off).
    recoverEveryMs: Number(env.MODEL_GATE_RECOVER_SECONDS ?? 300) * 1000,
    staleAfterMs: Number(env.MODEL_GATE_STALE_SECONDS ?? 120) * 1000,
  };
}
