/**
 * The App server's configuration, read from its environment and checked
 * before anything listens, so a wrong deployment stops at once with the
 * variable named instead of a stack trace or, worse, a server that accepts
 * forged deliveries: Probot falls back to the webhook secret `development`
 * (public in its source) when WEBHOOK_SECRET is unset.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GateError } from '../core/errors.js';

/** GitHub caps webhook payloads at 25 MB and never sends more. */
export const GITHUB_MAX_PAYLOAD_BYTES = 25 * 1024 * 1024;

/** Secrets anyone can sign with: Probot's default and its documented example. */
const WELL_KNOWN_SECRETS = new Set(['development']);

export interface ServerConfig {
  appId: number;
  /** PEM text of the App's RSA private key. */
  privateKey: string;
  webhookSecret: string;
  webhookPath: string;
  port: number;
  host: string;
  /** Webhook bodies above this are refused with 413 before they are buffered. */
  maxBodyBytes: number;
}

type Env = Record<string, string | undefined>;

const KEY_HINT =
  "download it from the App's settings (General → Private keys → Generate a private key) and set PRIVATE_KEY_PATH to the .pem file";

/**
 * Reads and checks the server's environment. Throws a GateError (code
 * E_CONFIG, exit 2) whose `where` names the variable and whose hint says what
 * to set.
 */
export function readServerConfig(env: Env, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): ServerConfig {
  const appIdText = (env.APP_ID ?? '').trim();
  if (appIdText === '') {
    throw configError('APP_ID', 'not set', "set it to the App's id (the App's settings page, \"App ID\")");
  }
  if (!/^[1-9]\d*$/.test(appIdText)) {
    throw configError('APP_ID', `must be the App's numeric id, got ${JSON.stringify(appIdText)}`, "copy \"App ID\" from the App's settings page");
  }

  const privateKey = readPrivateKey(env, readFile);

  const webhookSecret = env.WEBHOOK_SECRET ?? '';
  if (webhookSecret === '') {
    throw configError(
      'WEBHOOK_SECRET',
      'not set: without it every delivery would be checked against a secret anyone knows',
      "set it to the App's webhook secret (the App's settings, \"Webhook secret\")",
    );
  }
  if (WELL_KNOWN_SECRETS.has(webhookSecret)) {
    throw configError(
      'WEBHOOK_SECRET',
      `is ${JSON.stringify(webhookSecret)}, a publicly known default: anyone could sign deliveries`,
      "generate a random secret (e.g. openssl rand -hex 32) and set it here and in the App's settings",
    );
  }

  const portText = env.PORT ?? '3000';
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) {
    throw configError('PORT', `must be a port number from 0 to 65535, got ${JSON.stringify(portText)}`, 'unset it for 3000, or 0 for any free port');
  }

  return {
    appId: Number(appIdText),
    privateKey,
    webhookSecret,
    webhookPath: env.WEBHOOK_PATH || '/api/github/webhooks',
    port: Number(portText),
    host: env.HOST || '0.0.0.0',
    maxBodyBytes: GITHUB_MAX_PAYLOAD_BYTES,
  };
}

function readPrivateKey(env: Env, readFile: (path: string) => string): string {
  let pem: string;
  let where: string;
  if (env.PRIVATE_KEY !== undefined && env.PRIVATE_KEY.trim() !== '') {
    where = 'PRIVATE_KEY';
    pem = env.PRIVATE_KEY.trim();
    // As Probot accepts it: PEM text, PEM with literal "\n", or base64 of the PEM.
    if (!pem.includes('-----BEGIN')) pem = Buffer.from(pem, 'base64').toString('utf8');
    pem = pem.replace(/\\n/g, '\n');
  } else if (env.PRIVATE_KEY_PATH !== undefined && env.PRIVATE_KEY_PATH.trim() !== '') {
    where = 'PRIVATE_KEY_PATH';
    const path = env.PRIVATE_KEY_PATH.trim();
    try {
      pem = readFile(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      throw configError(where, `cannot read ${path} (${code})`, `check the path and that the server's user may read it; ${KEY_HINT}`, e);
    }
  } else {
    throw configError('PRIVATE_KEY_PATH', 'not set (nor PRIVATE_KEY)', KEY_HINT);
  }
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'rsa') {
      throw new Error(`a ${key.asymmetricKeyType} key; GitHub Apps sign with RSA`);
    }
  } catch (e) {
    throw configError(
      where,
      `is not a usable GitHub App private key: ${(e as Error).message.split('\n')[0]}`,
      `give the whole .pem file GitHub generated (-----BEGIN RSA PRIVATE KEY----- …); ${KEY_HINT}`,
      e,
    );
  }
  return pem;
}

function configError(variable: string, message: string, hint: string, cause?: unknown): GateError {
  return new GateError('E_CONFIG', message, { where: variable, hint, cause });
}

/** The one line the server prints before exiting 2: the variable, what is wrong, what to do. */
export function configErrorLine(e: GateError): string {
  return `model-release-gate: ${e.where ? `${e.where} ` : ''}${e.message}; ${e.hint ?? ''}`.trimEnd();
}
