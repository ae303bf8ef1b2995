/**
 * The Probot instance both runtimes (the Node server and the Lambda handler)
 * use, built from the checked configuration (server-config.ts).
 */
import { createProbot, ProbotOctokit, type Probot } from 'probot';
import type { ServerConfig } from './server-config.js';

/**
 * Probot with the App's id, key and secret. MODEL_GATE_GITHUB_LIMITS=off turns
 * off Octokit's throttling and retries: against a local double they only add
 * waits (GitHub itself needs them).
 */
export function createGateProbot(env: Record<string, string | undefined>, config: ServerConfig): Probot {
  const Octokit =
    env.MODEL_GATE_GITHUB_LIMITS === 'off'
      ? ProbotOctokit.defaults((o: Record<string, any>) => ({ // eslint-disable-line @typescript-eslint/no-explicit-any
          ...o,
          throttle: { ...(o.throttle ?? {}), enabled: false },
          retry: { enabled: false },
        }))
      : ProbotOctokit;
  return createProbot({
    env: env as NodeJS.ProcessEnv,
    overrides: { Octokit, logLevel: (env.LOG_LEVEL as 'info') ?? 'info', appId: config.appId, privateKey: config.privateKey, secret: config.webhookSecret },
  });
}
