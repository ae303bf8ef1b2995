// The transparency log on a real Ceph RGW (scripts/s3-server.sh): appends
// through the CLI publish tiles, bundles and signed notes create-only in a
// COMPLIANCE bucket; Go's sumdb code (test/tlog-check) accepts a copy of the
// bucket; verify-tree reads it with one GET per 256 records; a receipt
// checks offline.
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCheckpointKeyPair } from '../../../src/audit/checkpoint.js';
import { cli } from '../../helpers/s3-cli.js';
import { createLockedBucket, describeRgw, rawClient, storeEnv, storeUrl, uniqueBucket, type RgwEnv } from '../../helpers/s3.js';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..');
const LOG = 'acme/fraud-model';

describeRgw('transparency log on Ceph RGW', (rgw: RgwEnv) => {
  const client = rawClient(rgw);
  const dir = mkdtempSync(join(tmpdir(), 'mrg-tlog-rgw-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('tiles and notes written to RGW pass the Go checker; verify-tree reads bundles; a receipt checks offline', async () => {
    const bucket = uniqueBucket('tlog');
    await createLockedBucket(client, bucket);
    const url = storeUrl(rgw, bucket, 'log').href;
    const pair = await generateCheckpointKeyPair('EdDSA');
    const keyFile = join(dir, 'key.jwk');
    writeFileSync(keyFile, JSON.stringify(pair.privateJwk));
    const env = storeEnv(rgw);
    const N = 260;
    for (let i = 0; i < N; i++) {
      const extra = i === N - 1 || i === 9 ? ['--checkpoint-key', keyFile] : [];
      const r = await cli(['audit', 'append', '--store', url, '--log', LOG, '--event-type', 'MODEL_RELEASE', '--actor', 'a', '--action', `release ${i}`, '--json', ...extra], env);
      if (r.code !== 0) throw new Error(r.stderr);
    }
    const vkey = (await cli(['audit', 'vkey', '--key', keyFile, '--log', LOG], env)).stdout.trim();

    // A copy of the bucket (the oldest version of each key is the record; here each key has one).
    let token: string | undefined;
    let copied = 0;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'log/', ContinuationToken: token }));
      for (const o of page.Contents ?? []) {
        const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }));
        const path = join(dir, 'copy', o.Key!.slice('log/'.length));
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, await got.Body!.transformToByteArray());
        copied++;
      }
      token = page.NextContinuationToken;
    } while (token);
    expect(copied).toBeGreaterThan(N);
    const built = spawnSync('bash', [join(root, 'scripts', 'build-tlog-check.sh')], { encoding: 'utf8' });
    expect(built.status).toBe(0);
    const go = spawnSync(built.stdout.trim(), ['store', join(dir, 'copy'), vkey], { encoding: 'utf8' });
    expect(go.stderr).toBe('');
    expect(go.status).toBe(0);
    expect(go.stdout).toMatch(/ok consistent 10 -> 260/);
    expect(go.stdout).toMatch(/ok 256 bundled records hash to their leaves/);

    const v = await cli(['audit', 'verify-tree', '--store', url, '--key', vkey, '--json'], env);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, size: N, read: { bundled: 256, entries: 4 } });

    const p = await cli(['audit', 'prove', '--store', url, '--seq', '100', '--key', vkey, '--out', join(dir, 'r.tlog-proof'), '--record-out', join(dir, 'r.json')], env);
    expect(p.code).toBe(0);
    const c = await cli(['audit', 'check-proof', join(dir, 'r.tlog-proof'), '--record', join(dir, 'r.json'), '--key', vkey], {});
    expect(c.code).toBe(0);
  }, 600_000);
});
