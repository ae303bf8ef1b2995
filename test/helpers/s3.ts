/**
 * Helpers for tests against the real S3 server (Ceph RGW started by
 * scripts/s3-server.sh; `npm test` starts it and passes MRG_TEST_S3_*).
 *
 * Without those variables the tests FAIL with a message saying how to get the
 * server, rather than passing silently; MRG_TEST_S3=off skips them visibly.
 */
import { randomBytes, createHash } from 'node:crypto';
import {
  CreateBucketCommand,
  PutObjectLockConfigurationCommand,
  S3Client,
  type ObjectLockRetentionMode,
} from '@aws-sdk/client-s3';

export interface RgwEnv {
  endpoint: string;
  accessKey: string;
  secretKey: string;
}

/** The test server from the environment, or why there is none. */
export function rgwFromEnv(): RgwEnv | 'off' | 'missing' {
  if (process.env.MRG_TEST_S3 === 'off') return 'off';
  const endpoint = process.env.MRG_TEST_S3_ENDPOINT;
  const accessKey = process.env.MRG_TEST_S3_ACCESS_KEY;
  const secretKey = process.env.MRG_TEST_S3_SECRET_KEY;
  if (!endpoint || !accessKey || !secretKey) return 'missing';
  return { endpoint, accessKey, secretKey };
}

/**
 * `describe` for tests that need the real S3 server: runs them with its
 * address, fails with instructions when it is not configured, or skips them
 * (with the reason in the name) when MRG_TEST_S3=off.
 */
export function describeRgw(name: string, body: (rgw: RgwEnv) => void): void {
  const rgw = rgwFromEnv();
  if (rgw === 'off') {
    process.stderr.write(`note: skipping "${name}": MRG_TEST_S3=off (these tests need the Ceph RGW test server)\n`);
    describe.skip(`${name} [skipped: MRG_TEST_S3=off]`, () => {
      it('needs the real S3 server', () => undefined);
    });
    return;
  }
  if (rgw === 'missing') {
    describe(name, () => {
      it('needs the test S3 server (MRG_TEST_S3_ENDPOINT, _ACCESS_KEY, _SECRET_KEY)', () => {
        throw new Error(
          'MRG_TEST_S3_ENDPOINT/_ACCESS_KEY/_SECRET_KEY are not set. Run the suite with `npm test` ' +
            '(it starts scripts/s3-server.sh), or start it yourself and export the lines ' +
            '`scripts/s3-server.sh start` prints; set MRG_TEST_S3=off to skip these tests.',
        );
      });
    });
    return;
  }
  describe(name, () => body(rgw));
}

/** The KMS key id RGW's built-in test key store knows (scripts/s3-server.sh). */
export const RGW_TEST_KMS_KEY_ID = 'mrg-test-key';

/** A bucket name no other test (or earlier run) uses. */
export function uniqueBucket(tag: string): string {
  const name = `mrg-${tag}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  return name.toLowerCase().slice(0, 63).replace(/[^a-z0-9]+$/, '');
}

/** A plain S3 client for arranging and tampering, outside the store under test. */
export function rawClient(rgw: RgwEnv, endpoint = rgw.endpoint): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: rgw.accessKey, secretAccessKey: rgw.secretKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });
}

/** The env object a store (or the CLI) gets: the test server's credentials. */
export function storeEnv(rgw: RgwEnv, extra: Record<string, string> = {}): Record<string, string> {
  return { AWS_ACCESS_KEY_ID: rgw.accessKey, AWS_SECRET_ACCESS_KEY: rgw.secretKey, ...extra };
}

/** `s3://bucket[/prefix]?region=us-east-1&endpoint=...` plus extra parameters. */
export function storeUrl(
  rgw: RgwEnv,
  bucket: string,
  prefix = '',
  params: Record<string, string> = {},
  endpoint = rgw.endpoint,
): URL {
  const q = new URLSearchParams({ region: 'us-east-1', endpoint, ...params });
  return new URL(`s3://${bucket}${prefix ? `/${prefix}` : ''}?${q.toString()}`);
}

/** Creates a bucket with Object Lock and, unless `mode` is null, a default retention. */
export async function createLockedBucket(
  client: S3Client,
  bucket: string,
  retention: { mode: ObjectLockRetentionMode | null; days?: number; years?: number } = { mode: 'COMPLIANCE', days: 2557 },
): Promise<void> {
  await client.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
  if (retention.mode) {
    await client.send(
      new PutObjectLockConfigurationCommand({
        Bucket: bucket,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: {
            DefaultRetention: {
              Mode: retention.mode,
              ...(retention.years !== undefined ? { Years: retention.years } : { Days: retention.days ?? 2557 }),
            },
          },
        },
      }),
    );
  }
}

/** Creates a bucket without Object Lock. */
export async function createPlainBucket(client: S3Client, bucket: string): Promise<void> {
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
}

export function md5(bytes: Uint8Array | string): string {
  return createHash('md5').update(bytes).digest('base64');
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (b: Uint8Array | null | undefined): string | null => (b ? new TextDecoder().decode(b) : null);
