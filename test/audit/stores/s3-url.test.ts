import fc from 'fast-check';
import { GateError } from '../../../src/core/errors.js';
import { DEFAULT_RETENTION_DAYS, parseS3Url } from '../../../src/audit/stores/s3-url.js';

function urlErrorOf(input: string, env = {}): GateError {
  try {
    parseS3Url(input, env);
  } catch (e) {
    if (e instanceof GateError) return e;
    throw e;
  }
  throw new Error(`expected ${input} to be refused`);
}

describe('parseS3Url', () => {
  it('reads bucket, prefix and every parameter', () => {
    const c = parseS3Url(
      's3://audit-bucket/org/repo?region=eu-west-1&sse=aws:kms&kms_key_id=alias%2Faudit&retention_days=3650&allow_governance=true',
    );
    expect(c).toMatchObject({
      bucket: 'audit-bucket',
      prefix: 'org/repo/',
      region: 'eu-west-1',
      endpoint: undefined,
      forcePathStyle: false,
      encryption: { kind: 'aws:kms', kmsKeyId: 'alias/audit' },
      retentionDays: 3650,
      allowGovernance: true,
    });
  });

  it('defaults: no prefix, 2557 days, COMPLIANCE only, path style with an endpoint, region us-east-1 with an endpoint', () => {
    const c = parseS3Url('s3://bkt?endpoint=http://127.0.0.1:9000');
    expect(c).toMatchObject({
      bucket: 'bkt',
      prefix: '',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
      encryption: { kind: 'none' },
      retentionDays: DEFAULT_RETENTION_DAYS,
      allowGovernance: false,
    });
    expect(DEFAULT_RETENTION_DAYS).toBe(2557);
    expect(parseS3Url('s3://bkt/p/?region=us-east-2&force_path_style=true&sse=AES256')).toMatchObject({
      prefix: 'p/',
      forcePathStyle: true,
      encryption: { kind: 'AES256' },
    });
  });

  it('takes the region from AWS_REGION / AWS_DEFAULT_REGION when the URL has none', () => {
    expect(parseS3Url('s3://bkt', { AWS_REGION: 'eu-central-1' }).region).toBe('eu-central-1');
    expect(parseS3Url('s3://bkt', { AWS_DEFAULT_REGION: 'ap-south-1' }).region).toBe('ap-south-1');
    expect(urlErrorOf('s3://bkt').message).toMatch(/no region/);
  });

  it.each([
    ['file:///x', /starts with s3:\/\//],
    ['s3://', /bucket name is missing/],
    ['s3://Bad_Bucket?region=us-east-1', /not a valid S3 bucket name/],
    ['s3://ab?region=us-east-1', /not a valid S3 bucket name/],
    ['s3://192.168.1.1?region=us-east-1', /not a valid S3 bucket name/],
    ['s3://key:secret@bkt?region=us-east-1', /credentials do not belong/],
    ['s3://bkt?region=us-east-1&color=red', /unknown parameter "color"/],
    ['s3://bkt?region=us-east-1&region=eu-west-1', /given twice/],
    ['s3://bkt?region=us-east-1&retention_days=7y', /retention_days must be a whole number/],
    ['s3://bkt?region=us-east-1&retention_days=0', /retention_days must be a whole number/],
    ['s3://bkt?region=us-east-1&retention_days=-5', /retention_days must be a whole number/],
    ['s3://bkt?region=us-east-1&sse=des', /sse must be AES256 or aws:kms/],
    ['s3://bkt?region=us-east-1&kms_key_id=k', /kms_key_id is given without sse=aws:kms/],
    ['s3://bkt?region=us-east-1&endpoint=ftp://x', /endpoint must be http/],
    ['s3://bkt?region=us-east-1&endpoint=nope', /not a URL/],
    ['s3://bkt?region=us-east-1&allow_governance=yes', /allow_governance must be true or false/],
    ['s3://bkt/a//b?region=us-east-1', /empty, "\." or "\.\." segment/],
    ['s3://bkt/a/../b?region=us-east-1', /segment/],
    ['s3://bkt:9000?region=us-east-1', /port/],
  ])('refuses %s with E_STORE_URL', (input, message) => {
    const err = urlErrorOf(input);
    expect(err.code).toBe('E_STORE_URL');
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(message);
    expect(err.where).toBe(input);
  });

  it('keeps any valid prefix as segments joined by / with one trailing /', () => {
    const segment = fc.stringMatching(/^[a-z0-9_-]{1,8}$/);
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 4 }), (segs) => {
        const c = parseS3Url(`s3://bkt/${segs.join('/')}?region=us-east-1`);
        expect(c.prefix).toBe(segs.length ? `${segs.join('/')}/` : '');
      }),
    );
  });
});
