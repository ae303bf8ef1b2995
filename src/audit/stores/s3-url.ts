import { GateError } from '../../core/errors.js';

/** Server-side encryption the store asks S3 for on every PUT. */
export type S3Encryption =
  | { kind: 'none' }
  | { kind: 'AES256' }
  | { kind: 'aws:kms'; kmsKeyId?: string };

/** An `s3://` store URL, parsed and checked. */
export interface S3StoreConfig {
  bucket: string;
  /** Key prefix ending in `/`, or `''` for the bucket's root. */
  prefix: string;
  /** From `region=`, else the environment's AWS_REGION / AWS_DEFAULT_REGION, else us-east-1 with an endpoint. */
  region: string;
  /** An S3-compatible endpoint (Ceph RGW, MinIO); absent for AWS. */
  endpoint?: string;
  /** Path-style addressing (`endpoint/bucket/key`): on by default with an endpoint. */
  forcePathStyle: boolean;
  encryption: S3Encryption;
  /** The default retention the bucket must show, in days (docs/design.md §4: 2,557 = 7 years). */
  retentionDays: number;
  /** Accept a GOVERNANCE default retention (it can be bypassed by a privileged user). */
  allowGovernance: boolean;
  /** The URL as written, for messages (it never holds secrets: credentials in it are refused). */
  displayUrl: string;
}

/** Seven years of 365.25 days, rounded up: what financial record-keeping rules ask for. */
export const DEFAULT_RETENTION_DAYS = 2557;

/** Longest retention we accept, a guard against typos (S3 itself allows up to 100 years). */
const MAX_RETENTION_DAYS = 36500;

const KNOWN_PARAMS = [
  'region',
  'endpoint',
  'sse',
  'kms_key_id',
  'retention_days',
  'allow_governance',
  'force_path_style',
] as const;

const SHAPE = 's3://BUCKET[/PREFIX]?region=R[&endpoint=URL][&sse=AES256|aws:kms[&kms_key_id=ID]][&retention_days=N][&allow_governance=true][&force_path_style=true]';

function urlError(url: string, message: string, hint?: string): GateError {
  return new GateError('E_STORE_URL', message, {
    where: url,
    hint: hint ?? `write the store as ${SHAPE}`,
  });
}

function parseBool(url: string, name: string, value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw urlError(url, `${name} must be true or false, got ${JSON.stringify(value)}`);
}

/**
 * Parses and checks an `s3://` store URL. Every mistake is an E_STORE_URL
 * error naming the part at fault: a bucket name S3 would refuse, an unknown or
 * repeated parameter, an endpoint that is not http(s), a retention that is not
 * a whole number of days, KMS options without `sse=aws:kms`.
 *
 * `env` supplies the region when the URL has none (AWS_REGION, then
 * AWS_DEFAULT_REGION), as the AWS tools do.
 */
/** The path of a raw `s3://bucket/path?query#fragment` string, as written (nothing resolved). */
function rawPathOf(text: string): string {
  const rest = text.replace(/^s3:\/\//i, '');
  const end = rest.search(/[?#]/);
  const authorityAndPath = end < 0 ? rest : rest.slice(0, end);
  const slash = authorityAndPath.indexOf('/');
  return slash < 0 ? '' : authorityAndPath.slice(slash);
}

export function parseS3Url(
  input: URL | string,
  env: Record<string, string | undefined> = {},
): S3StoreConfig {
  const text = typeof input === 'string' ? input : input.href;
  let url: URL;
  try {
    url = typeof input === 'string' ? new URL(input) : input;
  } catch {
    throw urlError(text, 'not a URL');
  }
  if (url.protocol !== 's3:') {
    throw urlError(text, `an S3 store URL starts with s3://, not ${url.protocol}//`);
  }
  if (url.username || url.password) {
    throw urlError(
      text,
      'credentials do not belong in the store URL',
      'remove them from the URL; the S3 store takes credentials from the standard AWS chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, web identity, instance role)',
    );
  }
  if (url.port) throw urlError(text, 'the bucket name cannot carry a port; put the server in endpoint=');
  if (url.hash) throw urlError(text, 'the store URL cannot have a #fragment');

  const bucket = url.hostname;
  if (!bucket) throw urlError(text, 'the bucket name is missing');
  // S3's rules for bucket names (general purpose buckets).
  if (
    !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) ||
    bucket.includes('..') ||
    /^\d+\.\d+\.\d+\.\d+$/.test(bucket)
  ) {
    throw urlError(
      text,
      `${JSON.stringify(bucket)} is not a valid S3 bucket name`,
      'bucket names are 3-63 characters of lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit',
    );
  }

  // URL parsing resolves "." and ".." segments, percent-encoded ones too
  // (%2e%2e), so `a/../b` would silently become `b/`: the prefix is read
  // from the raw string, where a dot segment is still what it was written as.
  const rawPath = typeof input === 'string' ? rawPathOf(input) : url.pathname;
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    throw urlError(text, `the prefix ${JSON.stringify(rawPath)} has a malformed %-escape`);
  }
  const segments = path.split('/').filter((s, i, all) => !(s === '' && (i === 0 || i === all.length - 1)));
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..') {
      throw urlError(text, `the prefix ${JSON.stringify(path)} has an empty, "." or ".." segment`);
    }
  }
  const prefix = segments.length ? `${segments.join('/')}/` : '';

  const seen = new Set<string>();
  const params: Partial<Record<(typeof KNOWN_PARAMS)[number], string>> = {};
  for (const [name, value] of url.searchParams) {
    if (!(KNOWN_PARAMS as readonly string[]).includes(name)) {
      throw urlError(text, `unknown parameter ${JSON.stringify(name)}`, `known parameters: ${KNOWN_PARAMS.join(', ')}`);
    }
    if (seen.has(name)) throw urlError(text, `parameter ${name} is given twice`);
    seen.add(name);
    params[name as (typeof KNOWN_PARAMS)[number]] = value;
  }

  let endpoint: string | undefined;
  if (params.endpoint !== undefined) {
    let e: URL;
    try {
      e = new URL(params.endpoint);
    } catch {
      throw urlError(text, `endpoint=${params.endpoint} is not a URL`, 'give it as endpoint=http://host:port (URL-encoded if needed)');
    }
    if (e.protocol !== 'http:' && e.protocol !== 'https:') {
      throw urlError(text, `endpoint must be http:// or https://, got ${e.protocol}//`);
    }
    if (e.username || e.password) throw urlError(text, 'the endpoint cannot carry credentials');
    endpoint = e.href.replace(/\/$/, '');
  }

  const region = params.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (endpoint ? 'us-east-1' : undefined);
  if (!region) {
    throw urlError(text, 'no region given', 'add region=... to the URL (or set AWS_REGION)');
  }
  if (!/^[a-z0-9-]+$/.test(region)) throw urlError(text, `region ${JSON.stringify(region)} is not a region name`);

  let encryption: S3Encryption = { kind: 'none' };
  if (params.sse !== undefined) {
    if (params.sse === 'AES256') encryption = { kind: 'AES256' };
    else if (params.sse === 'aws:kms') encryption = { kind: 'aws:kms', kmsKeyId: params.kms_key_id || undefined };
    else throw urlError(text, `sse must be AES256 or aws:kms, got ${JSON.stringify(params.sse)}`);
  }
  if (params.kms_key_id !== undefined && encryption.kind !== 'aws:kms') {
    throw urlError(text, 'kms_key_id is given without sse=aws:kms');
  }

  let retentionDays = DEFAULT_RETENTION_DAYS;
  if (params.retention_days !== undefined) {
    const r = params.retention_days;
    if (!/^\d+$/.test(r) || Number(r) < 1 || Number(r) > MAX_RETENTION_DAYS) {
      throw urlError(
        text,
        `retention_days must be a whole number of days from 1 to ${MAX_RETENTION_DAYS}, got ${JSON.stringify(r)}`,
        `leave it out for the default ${DEFAULT_RETENTION_DAYS} days (7 years)`,
      );
    }
    retentionDays = Number(r);
  }

  const allowGovernance = params.allow_governance === undefined ? false : parseBool(text, 'allow_governance', params.allow_governance);
  const forcePathStyle =
    params.force_path_style === undefined ? endpoint !== undefined : parseBool(text, 'force_path_style', params.force_path_style);

  return {
    bucket,
    prefix,
    region,
    endpoint,
    forcePathStyle,
    encryption,
    retentionDays,
    allowGovernance,
    displayUrl: text,
  };
}
