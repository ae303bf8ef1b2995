import { GateError } from '../../core/errors.js';

/**
 * A GateError the caller may retry: the S3 service failed in a way that can
 * pass (5xx, SlowDown, a timeout, a reset connection). The append protocol
 * retries on it and ends with exit 3 (E_S3) when the store stays unavailable.
 * Marked by a plain `retryable: true` property so any layer can test it
 * without importing this file.
 */
export type RetryableGateError = GateError & { readonly retryable: true };

/** Marks an error as one a caller may retry (see {@link RetryableGateError}). */
export function markRetryable(e: GateError): RetryableGateError {
  return Object.assign(e, { retryable: true as const });
}

/**
 * True for an error marked transient: S3 gave no definitive answer, so a PUT
 * may have landed (the store then looks before writing again). Whether to
 * retry is audit/retry.ts's `isRetryable`, the one retry decision.
 */
export function isTransient(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { retryable?: unknown }).retryable === true;
}

/** The parts of an AWS SDK v3 error (or a Node network error) we look at. */
interface SdkErrorLike {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

const TRANSIENT_NAMES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'ServiceUnavailable',
  'TimeoutError',
  'AbortError',
]);

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** The HTTP status of an SDK error, when the server answered at all. */
export function statusOf(e: unknown): number | undefined {
  return (e as SdkErrorLike | undefined)?.$metadata?.httpStatusCode;
}

/** The S3 error code (`NoSuchBucket`, `AccessDenied`, ...) or the Node error code. */
export function nameOf(e: unknown): string {
  const x = e as SdkErrorLike | undefined;
  return String(x?.name ?? x?.code ?? 'Error');
}

/**
 * Whether an SDK or network error may pass on retry: a 5xx or 429 answer, a
 * throttling or timeout code, or a connection that failed without an answer.
 */
export function isTransientS3Error(e: unknown, depth = 0): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const x = e as SdkErrorLike;
  const status = statusOf(e);
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  if (x.name && TRANSIENT_NAMES.has(x.name)) return true;
  if (x.code && TRANSIENT_CODES.has(x.code)) return true;
  if (x.$retryable) return true;
  // A connection that broke before a full answer: no status, a socket-ish
  // message (the SDK may wrap a Node error from another realm, keeping only
  // its message, so the message is the one thing sure to survive).
  if (
    status === undefined &&
    /socket hang up|aborted|premature close|ECONN[A-Z]+|EPIPE|ETIMEDOUT|EAI_AGAIN|E(HOST|NET)UNREACH|timed? ?out/i.test(x.message ?? '')
  ) {
    return true;
  }
  const cause = (e as { cause?: unknown }).cause;
  return depth < 3 && cause !== undefined && cause !== e && isTransientS3Error(cause, depth + 1);
}

/** S3's answers that mean the credentials themselves are wrong: no retry can fix them. */
const CREDENTIAL_REJECTED = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'InvalidClientTokenId',
]);

/** Where the AWS SDK looks for credentials, in its order, and how to set each. */
const CREDENTIAL_CHAIN =
  'the AWS SDK looks, in order, at AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN) in the environment; ' +
  'AWS_PROFILE (or the default profile) in ~/.aws/config and ~/.aws/credentials, SSO included (aws sso login --profile P); ' +
  'a web identity token (AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE); the container or EC2 instance role. ' +
  'In GitHub Actions: aws-actions/configure-aws-credentials with OIDC (permissions: id-token: write); on a workstation: aws configure, or AWS_PROFILE';

/**
 * Turns an SDK error into the project's error. Missing buckets become
 * E_S3_NO_BUCKET and missing or rejected credentials E_S3_CREDENTIALS (exit 2,
 * never retried: the user must fix them); everything else is E_S3 (exit 3),
 * marked retryable when it may pass.
 */
export function s3Error(e: unknown, what: string, where: string): GateError {
  if (e instanceof GateError) return e;
  const name = nameOf(e);
  const status = statusOf(e);
  const detail = `${name}${status !== undefined ? ` (HTTP ${status})` : ''}: ${(e as SdkErrorLike)?.message ?? String(e)}`;
  if (name === 'NoSuchBucket') {
    return new GateError('E_S3_NO_BUCKET', `the bucket does not exist (${what})`, {
      where,
      cause: e,
      hint: 'create it with Object Lock: model-gate audit init --store <the same s3:// URL>',
    });
  }
  if (CREDENTIAL_REJECTED.has(name)) {
    return new GateError('E_S3_CREDENTIALS', `S3 rejected the credentials in use (${name}) while ${what}`, {
      where,
      cause: e,
      hint: `${name === 'ExpiredToken' || name === 'TokenRefreshRequired' ? 'the session token has expired; ' : 'the access key or secret is wrong for this endpoint; '}${CREDENTIAL_CHAIN}`,
    });
  }
  if (name === 'CredentialsProviderError' || /credential/i.test(name)) {
    return new GateError('E_S3_CREDENTIALS', `no AWS credentials found for ${what}`, {
      where,
      cause: e,
      hint: CREDENTIAL_CHAIN,
    });
  }
  if (name === 'AccessDenied' || status === 403) {
    return new GateError('E_S3', `S3 refused ${what}: ${detail}`, {
      where,
      cause: e,
      hint: 'check that the credentials in use may do this on the bucket (IAM policy, bucket policy)',
    });
  }
  if (isTransientS3Error(e)) {
    return markRetryable(
      new GateError('E_S3', `S3 did not complete ${what}: ${detail}`, {
        where,
        cause: e,
        hint: 'the S3 service is unavailable or overloaded; check the endpoint and network, then run again (appends are safe to repeat)',
      }),
    );
  }
  return new GateError('E_S3', `S3 failed ${what}: ${detail}`, { where, cause: e });
}
