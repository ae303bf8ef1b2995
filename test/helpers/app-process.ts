/**
 * The App server as a process of its own, pointed at an existing GitHub
 * double through Probot's GHE_HOST/GHE_PROTOCOL, so a test can also kill it
 * and start another against the same GitHub state (a restart must lose
 * nothing). app-harness.ts's startApp builds on it.
 */
import { spawn } from 'node:child_process';
import { randomUUID, type KeyObject } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sign } from '@octokit/webhooks-methods';
import type { GitHubDouble } from './github-double.js';

/** The compiled server entry (tests run on lib/). */
export const SERVER_JS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'app', 'server.js');

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface AppProcess {
  url: string;
  logs: Json[];
  /** POSTs a webhook delivery signed with the secret (or with `signature` as given). */
  deliver(event: string, payload: Json, opts?: { signature?: string }): Promise<{ status: number; body: string }>;
  /** Resolves once a log line matches. */
  waitForLog(match: (line: Json) => boolean): Promise<Json>;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  /** SIGKILL (a crash) and wait. */
  kill(): Promise<void>;
}

export async function startAppProcess(
  gh: GitHubDouble,
  opts: { appId: number; privateKey: KeyObject; secret: string; env?: Record<string, string>; nodeArgs?: string[] },
): Promise<AppProcess> {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), SERVER_JS], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      APP_ID: String(opts.appId),
      PRIVATE_KEY: opts.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      WEBHOOK_SECRET: opts.secret,
      GHE_HOST: gh.host,
      GHE_PROTOCOL: 'http',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
      MODEL_GATE_GITHUB_LIMITS: 'off',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Json[] = [];
  const waiters: Array<{ match: (l: Json) => boolean; resolve: (l: Json) => void }> = [];
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  let buf = '';
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        const j = JSON.parse(line) as Json;
        logs.push(j);
        for (const w of [...waiters]) {
          if (w.match(j)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(j);
          }
        }
      } catch {
        /* not a log line */
      }
    }
  });
  const waitForLog = (match: (l: Json) => boolean): Promise<Json> => {
    const seen = logs.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => waiters.push({ match, resolve }));
  };
  let timer: NodeJS.Timeout | undefined;
  const started = await Promise.race([
    waitForLog((j) => j.msg === 'model-release-gate listening'),
    new Promise<never>((_, reject) => child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${stderr}`)))),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`server did not start in 20 s:\n${stderr}`)), 20000);
    }),
  ]).finally(() => clearTimeout(timer));
  const url = `http://127.0.0.1:${Number(started.port)}`;
  const end = (signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  return {
    url,
    logs,
    waitForLog,
    async deliver(event, payload, o = {}) {
      const body = JSON.stringify(payload);
      const res = await fetch(`${url}/api/github/webhooks`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': event,
          'x-github-delivery': randomUUID(),
          'x-hub-signature-256': o.signature ?? (await sign(opts.secret, body)),
          'user-agent': 'GitHub-Hookshot/test',
        },
        body,
      });
      return { status: res.status, body: await res.text() };
    },
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
  };
}
