import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { S3StoreConfig } from './s3-url.js';

/** Timeouts and retries of the S3 client; the defaults suit AWS and a local RGW. */
export interface S3ClientTuning {
  /** Attempts per request, the SDK's own retries included (standard mode, jittered backoff). */
  maxAttempts: number;
  /** Connecting may take this long (ms). */
  connectionTimeoutMs: number;
  /** A whole request and answer may take this long (ms), then it is retried. */
  requestTimeoutMs: number;
}

export const DEFAULT_TUNING: S3ClientTuning = {
  maxAttempts: 4,
  connectionTimeoutMs: 5000,
  requestTimeoutMs: 30000,
};

function positiveInt(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) < 1) return undefined;
  return Number(value);
}

/**
 * Tuning from the environment: MRG_S3_MAX_ATTEMPTS, MRG_S3_CONNECT_TIMEOUT_MS,
 * MRG_S3_TIMEOUT_MS (invalid values fall back to the defaults).
 */
export function tuningFromEnv(env: Record<string, string | undefined>): S3ClientTuning {
  return {
    maxAttempts: positiveInt(env.MRG_S3_MAX_ATTEMPTS) ?? DEFAULT_TUNING.maxAttempts,
    connectionTimeoutMs: positiveInt(env.MRG_S3_CONNECT_TIMEOUT_MS) ?? DEFAULT_TUNING.connectionTimeoutMs,
    requestTimeoutMs: positiveInt(env.MRG_S3_TIMEOUT_MS) ?? DEFAULT_TUNING.requestTimeoutMs,
  };
}

/**
 * Builds an S3 client for a store.
 *
 * Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN)
 * from the `env` passed in, which is what `aws-actions/configure-aws-credentials`
 * (OIDC) exports; else AWS_PROFILE from `env`; else the SDK's default chain
 * (shared config files, web identity, container and instance roles), which
 * reads the process environment itself.
 *
 * Checksums only when S3 requires them: with the SDK's default (always), a
 * streamed body is sent chunked and S3-compatible servers such as Ceph RGW
 * answer 411 MissingContentLength. We send our own Content-MD5 instead.
 */
export function buildS3Client(
  config: S3StoreConfig,
  env: Record<string, string | undefined>,
  tuning: S3ClientTuning = tuningFromEnv(env),
): S3Client {
  const staticCredentials =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? {
          accessKeyId: env.AWS_ACCESS_KEY_ID,
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
          ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
        }
      : undefined;
  return new S3Client({
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    forcePathStyle: config.forcePathStyle,
    ...(staticCredentials ? { credentials: staticCredentials } : env.AWS_PROFILE ? { profile: env.AWS_PROFILE } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: tuning.maxAttempts,
    retryMode: 'standard',
    requestHandler: new NodeHttpHandler({
      connectionTimeout: tuning.connectionTimeoutMs,
      requestTimeout: tuning.requestTimeoutMs,
      throwOnRequestTimeout: true,
      httpAgent: { keepAlive: true, maxSockets: 64 },
      httpsAgent: { keepAlive: true, maxSockets: 64 },
    }),
  });
}
