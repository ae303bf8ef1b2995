// The S3 server an S3 benchmark runs against: the one `npm test` or the
// caller started (MRG_TEST_S3_* in the environment), or one of its own from
// scripts/s3-server.sh in .tmp/s3-bench, which `stop()` then stops.
import { spawnSync } from 'node:child_process';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { join } from 'node:path';

/**
 * `{ endpoint, accessKey, secretKey, client, stop }` for the benchmarks under
 * `root`; `client` is a raw S3 client of that server (keep-alive, 64 sockets)
 * for setup and for the raw-S3 references.
 */
export function benchS3Server(root) {
  const script = join(root, 'scripts', 's3-server.sh');
  const env = { ...process.env, MRG_S3_DIR: join(root, '.tmp', 's3-bench') };
  let server = {
    endpoint: process.env.MRG_TEST_S3_ENDPOINT,
    accessKey: process.env.MRG_TEST_S3_ACCESS_KEY,
    secretKey: process.env.MRG_TEST_S3_SECRET_KEY,
  };
  let own = false;
  if (!server.endpoint) {
    const r = spawnSync('bash', [script, 'start'], { env, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
    if (r.status !== 0) throw new Error('scripts/s3-server.sh start failed');
    const vars = Object.fromEntries(r.stdout.trim().split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2)));
    server = { endpoint: vars.MRG_TEST_S3_ENDPOINT, accessKey: vars.MRG_TEST_S3_ACCESS_KEY, secretKey: vars.MRG_TEST_S3_SECRET_KEY };
    own = true;
  }
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKey, secretAccessKey: server.secretKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: new NodeHttpHandler({ httpAgent: { keepAlive: true, maxSockets: 64 } }),
  });
  return {
    ...server,
    client,
    stop: () => {
      if (own) spawnSync('bash', [script, 'stop'], { env, stdio: 'inherit' });
    },
  };
}
