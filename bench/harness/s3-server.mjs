// The S3 server an S3 benchmark runs against: the one `npm test` or the
// caller started (MRG_TEST_S3_* in the environment), or one of its own from
// scripts/s3-server.sh in .tmp/s3-bench, which `stop()` then stops.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** `{ endpoint, accessKey, secretKey, stop }` for the benchmarks under `root`. */
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
  return {
    ...server,
    stop: () => {
      if (own) spawnSync('bash', [script, 'stop'], { env, stdio: 'inherit' });
    },
  };
}
