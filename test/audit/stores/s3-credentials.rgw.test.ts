/**
 * Day one with S3: no credentials at all, or credentials S3 rejects. Either
 * way the CLI stops at once with exit 2, naming the SDK's credential chain
 * and how to set it (env, profile, OIDC), instead of retrying six times and
 * saying "retry later" (exit 3), which is what it did first. Against a real
 * Ceph RGW, through a proxy that counts the requests that reach it.
 */
import { spawn } from 'node:child_process';

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLockedBucket, describeRgw, rawClient, storeUrl, uniqueBucket, type RgwEnv } from '../../helpers/s3.js';
import { startFaultProxy, type FaultProxy } from '../../helpers/s3-fault-proxy.js';
import { tempDirs } from '../../helpers/temp-dirs.js';

const newDir = tempDirs('mrg-nocreds-');

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'bin', 'model-gate.js');

/**
 * The CLI as its own process with only these variables: no ~/.aws, no
 * instance metadata. Asynchronous, since the counting proxy runs in this process.
 */
function modelGate(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const home = newDir();
  const child = spawn(process.execPath, [bin, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: home, AWS_EC2_METADATA_DISABLED: 'true', NODE_NO_WARNINGS: '1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

describeRgw('S3 credentials on day one (Ceph RGW)', (rgw: RgwEnv) => {
  let proxy: FaultProxy;
  let bucket: string;
  beforeAll(async () => {
    bucket = uniqueBucket('creds');
    await createLockedBucket(rawClient(rgw), bucket);
    proxy = await startFaultProxy(rgw.endpoint, { slowAnswerMs: 1000 });
  });
  afterAll(() => proxy?.close());

  test.each([
    ['audit verify', ['audit', 'verify']],
    ['audit append', ['audit', 'append', '--event-type', 'MODEL_RELEASE', '--actor', 'alice', '--action', 'release']],
  ])('%s with no credentials anywhere: exit 2 at once, naming the chain, nothing sent to S3', async (_name, args) => {
    const before = proxy.counts.pass;
    const r = await modelGate([...args, '--store', storeUrl(rgw, bucket, 'a/b', {}, proxy.endpoint).href], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no AWS credentials found/);
    expect(r.stderr).toMatch(/AWS_ACCESS_KEY_ID.*AWS_PROFILE.*AWS_WEB_IDENTITY_TOKEN_FILE.*configure-aws-credentials with OIDC/s);
    expect(r.stderr).not.toMatch(/times|Retry later/);
    expect(proxy.counts.pass - before).toBe(0);
  });

  test.each([
    ['an unknown access key', { AWS_ACCESS_KEY_ID: 'AKIDNOTKNOWNHERE0000', AWS_SECRET_ACCESS_KEY: 'x'.repeat(40) }, /InvalidAccessKeyId/],
    ['a wrong secret', { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: 'y'.repeat(40) }, /SignatureDoesNotMatch/],
  ])('audit append with %s: exit 2 after one refused request, naming the chain', async (_name, creds, code) => {
    const env = { ...creds, AWS_ACCESS_KEY_ID: creds.AWS_ACCESS_KEY_ID || rgw.accessKey };
    const before = proxy.counts.pass;
    const r = await modelGate(['audit', 'append', '--store', storeUrl(rgw, bucket, 'a/b', {}, proxy.endpoint).href,
      '--event-type', 'MODEL_RELEASE', '--actor', 'alice', '--action', 'release'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(code);
    expect(r.stderr).toMatch(/S3 rejected the credentials in use/);
    expect(r.stderr).toMatch(/AWS_PROFILE/);
    expect(r.stderr).not.toMatch(/times|Retry later/);
    expect(proxy.counts.pass - before).toBe(1);
  });
});
