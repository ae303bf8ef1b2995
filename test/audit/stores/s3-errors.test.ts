import { createServer } from 'node:net';
import { GateError } from '../../../src/core/errors.js';
import { isTransient, isTransientS3Error, s3Error } from '../../../src/audit/stores/s3-errors.js';
import { openS3Store } from '../../../src/audit/stores/s3-store.js';
import { entryKey } from '../../../src/audit/store.js';

const sdkError = (name: string, status?: number) =>
  Object.assign(new Error(`${name} happened`), { name, ...(status ? { $metadata: { httpStatusCode: status } } : {}) });

describe('S3 error mapping', () => {
  it.each([
    ['SlowDown', 503],
    ['InternalError', 500],
    ['ServiceUnavailable', 503],
    ['TimeoutError', undefined],
    ['Throttling', 400],
  ])('%s is transient: E_S3, exit 3, retryable', (name, status) => {
    const e = s3Error(sdkError(name, status), 'writing x', 's3://b');
    expect(isTransientS3Error(sdkError(name, status))).toBe(true);
    expect(e.code).toBe('E_S3');
    expect(e.exitCode).toBe(3);
    expect(isTransient(e)).toBe(true);
  });

  it('a reset connection is transient', () => {
    expect(isTransientS3Error(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(true);
  });

  it('a missing bucket says to run audit init (exit 2); access denied is not retryable', () => {
    const nb = s3Error(sdkError('NoSuchBucket', 404), 'listing', 's3://b');
    expect(nb.code).toBe('E_S3_NO_BUCKET');
    expect(nb.exitCode).toBe(2);
    expect(nb.hint).toMatch(/audit init/);
    const ad = s3Error(sdkError('AccessDenied', 403), 'writing', 's3://b');
    expect(ad.code).toBe('E_S3');
    expect(isTransient(ad)).toBe(false);
    expect(isTransient(new GateError('E_S3', 'x'))).toBe(false);
  });

  it('a store nobody answers fails with a retryable E_S3 (exit 3) after its retries', async () => {
    // A port that was free a moment ago: connections are refused.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const store = await openS3Store(new URL(`s3://bkt?endpoint=http://127.0.0.1:${port}`), {
      env: { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b', MRG_S3_MAX_ATTEMPTS: '2' },
    });
    for (const op of [() => store.create(entryKey(0), new Uint8Array([1])), () => store.read(entryKey(0)), () => store.list('entries')]) {
      const err = await op().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(GateError);
      expect((err as GateError).code).toBe('E_S3');
      expect((err as GateError).exitCode).toBe(3);
      expect(isTransient(err)).toBe(true);
    }
  });
});
