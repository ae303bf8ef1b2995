import {
  CreateBucketCommand,
  GetObjectLockConfigurationCommand,
  PutObjectLockConfigurationCommand,
  type BucketLocationConstraint,
  type S3Client,
} from '@aws-sdk/client-s3';
import { GateError } from '../../core/errors.js';
import { buildS3Client } from './s3-client.js';
import { nameOf, s3Error } from './s3-errors.js';
import { defaultRetentionDays, lockProblems, type BucketLockState } from './s3-lock.js';
import { parseS3Url } from './s3-url.js';

export type RetentionMode = 'COMPLIANCE' | 'GOVERNANCE';

export interface InitS3Options {
  env: Record<string, string | undefined>;
  /** Default retention to set, in days; default the URL's `retention_days` (2,557). */
  retentionDays?: number;
  /** Default retention mode to set; COMPLIANCE unless told. */
  mode?: RetentionMode;
}

export interface InitS3Result {
  bucket: string;
  /** True when this call created the bucket; false when it already complied and was left alone. */
  created: boolean;
  /** The bucket's default retention after the call. */
  mode: string;
  days: number;
}

async function readLockState(client: S3Client, bucket: string, where: string): Promise<BucketLockState | 'no-bucket'> {
  try {
    const out = await client.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }));
    const conf = out.ObjectLockConfiguration;
    const rule = conf?.Rule?.DefaultRetention;
    return { enabled: conf?.ObjectLockEnabled === 'Enabled', mode: rule?.Mode, days: rule?.Days, years: rule?.Years };
  } catch (e) {
    if (nameOf(e) === 'NoSuchBucket') return 'no-bucket';
    if (nameOf(e) === 'ObjectLockConfigurationNotFoundError') return { enabled: false };
    throw s3Error(e, `reading the Object Lock configuration of bucket ${bucket}`, where);
  }
}

/**
 * `model-gate audit init` for S3: creates the bucket with Object Lock and a
 * default retention (COMPLIANCE, 2,557 days unless told), so that every
 * record written to it is undeletable for that long. An existing bucket is
 * never changed: if it already complies it is left as it is, otherwise
 * E_S3_NOT_LOCKED (exit 2) says what is wrong with it.
 */
export async function initS3Bucket(url: URL | string, options: InitS3Options): Promise<InitS3Result> {
  const config = parseS3Url(url, options.env);
  const mode: RetentionMode = options.mode ?? 'COMPLIANCE';
  const days = options.retentionDays ?? config.retentionDays;
  if (!Number.isInteger(days) || days < 1 || days > 36500) {
    throw new GateError('E_USAGE', `the retention must be a whole number of days from 1 to 36500, got ${days}`);
  }
  const { bucket } = config;
  const where = config.displayUrl;
  const client = buildS3Client(config, options.env);
  const requirement = { retentionDays: days, allowGovernance: mode === 'GOVERNANCE' };
  try {
    const before = await readLockState(client, bucket, where);
    if (before !== 'no-bucket') return judgeExisting(bucket, where, before, requirement);

    try {
      await client.send(
        new CreateBucketCommand({
          Bucket: bucket,
          ObjectLockEnabledForBucket: true,
          // AWS wants the region named outside us-east-1; S3-compatible servers take the default.
          ...(config.endpoint === undefined && config.region !== 'us-east-1'
            ? { CreateBucketConfiguration: { LocationConstraint: config.region as BucketLocationConstraint } }
            : {}),
        }),
      );
    } catch (e) {
      const name = nameOf(e);
      if (name === 'BucketAlreadyOwnedByYou') {
        // Someone created it a moment ago: judge it like any existing bucket.
        const now = await readLockState(client, bucket, where);
        if (now !== 'no-bucket') return judgeExisting(bucket, where, now, requirement);
      }
      if (name === 'BucketAlreadyExists') {
        throw new GateError('E_INPUT', `the bucket name ${bucket} is taken by another account`, {
          where,
          hint: 'bucket names are global on AWS: choose another name',
        });
      }
      throw s3Error(e, `creating bucket ${bucket}`, where);
    }
    await client.send(
      new PutObjectLockConfigurationCommand({
        Bucket: bucket,
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: mode, Days: days } } },
      }),
    );
    // Read it back: a server that accepted the request but kept no lock must not pass.
    const after = await readLockState(client, bucket, where);
    const problems = after === 'no-bucket' ? ['the bucket vanished after it was created'] : lockProblems(after, requirement);
    if (problems.length) {
      throw new GateError('E_S3', `created bucket ${bucket}, but the server did not keep its Object Lock: ${problems.join('; ')}`, {
        where,
        hint: 'this S3 service may not support Object Lock; use one that does (AWS S3, Ceph RGW, MinIO)',
      });
    }
    return { bucket, created: true, mode, days };
  } catch (e) {
    throw s3Error(e, `setting up bucket ${bucket}`, where);
  } finally {
    client.destroy();
  }
}

function judgeExisting(
  bucket: string,
  where: string,
  state: BucketLockState,
  requirement: { retentionDays: number; allowGovernance: boolean },
): InitS3Result {
  const problems = lockProblems(state, requirement);
  if (problems.length) {
    throw new GateError(
      'E_S3_NOT_LOCKED',
      `bucket ${bucket} already exists and does not comply, so it was left unchanged: ${problems.join('; ')}`,
      {
        where,
        hint: 'fix the bucket as described, or give audit init a new bucket name (Object Lock can only be chosen reliably when a bucket is created)',
      },
    );
  }
  return { bucket, created: false, mode: state.mode ?? 'none', days: defaultRetentionDays(state) ?? 0 };
}
