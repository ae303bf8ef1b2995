// The audit log on a real Ceph RGW (scripts/s3-server.sh), end to end through
// the CLI: tampering the server lets through is found by `audit verify`, what
// Object Lock forbids is refused, and bad stores are refused before writing.
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  PutObjectLockConfigurationCommand,
} from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeRecord, recordDigest } from '../../../src/audit/record.js';
import { entryKey } from '../../../src/audit/store.js';
import { appendArgs, cli, verifyJson } from '../../helpers/s3-cli.js';
import {
  createLockedBucket,
  createPlainBucket,
  describeRgw,
  md5,
  rawClient,
  storeEnv,
  storeUrl,
  uniqueBucket,
  type RgwEnv,
} from '../../helpers/s3.js';

describeRgw('audit log on Ceph RGW (CLI)', (rgw: RgwEnv) => {
  const client = rawClient(rgw);
  const env = storeEnv(rgw);

  /** A COMPLIANCE bucket holding a log of `n` records under prefix `log`. */
  async function newLog(tag: string, n: number): Promise<{ bucket: string; url: string; heads: string[] }> {
    const bucket = uniqueBucket(tag);
    await createLockedBucket(client, bucket);
    const url = storeUrl(rgw, bucket, 'log').href;
    const heads: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = await cli(appendArgs(url, 'alice', `step ${i}`, { i }), env);
      expect(r).toMatchObject({ code: 0 });
      heads.push((JSON.parse(r.stdout) as { digest: string }).digest);
    }
    return { bucket, url, heads };
  }

  async function storedBytes(bucket: string, key: string): Promise<Uint8Array> {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return out.Body!.transformToByteArray();
  }

  it('appends and verifies a clean log (exit 0, head = last append)', async () => {
    const { url, heads } = await newLog('clean', 3);
    const { code, report } = await verifyJson(url, env);
    expect(code).toBe(0);
    expect(report).toMatchObject({ ok: true, size: 3, head: heads[2], findings: [], superseded: [] });
  });

  it('finds a rogue second version written by a plain PutObject (extra-version) and still reads the record', async () => {
    const { bucket, url, heads } = await newLog('rogue', 3);
    const key = `log/${entryKey(1)}`;
    const original = new TextDecoder().decode(await storedBytes(bucket, key));
    const forged = original.replace('"alice"', '"mallory"');
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: forged, ContentMD5: md5(forged) }));
    // The "latest" object is now the forgery; the log must not be fooled by it.
    expect(new TextDecoder().decode(await storedBytes(bucket, key))).toContain('mallory');
    const { code, report } = await verifyJson(url, env);
    expect(code).toBe(1);
    expect(report.findings.map((f) => [f.kind, f.seq])).toEqual([['extra-version', 1]]);
    expect(report.size).toBe(3);
    expect(report.head).toBe(heads[2]);
    const shown = await cli(['audit', 'show', '--store', url, '--json'], env);
    expect(JSON.parse(shown.stdout)[1].record.actor).toBe('alice');
  });

  it('finds a delete marker (DeleteObject without a version id) and the record is still read', async () => {
    const { bucket, url, heads } = await newLog('marker', 3);
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: `log/${entryKey(2)}` }));
    const { code, report } = await verifyJson(url, env);
    expect(code).toBe(1);
    expect(report.findings.map((f) => [f.kind, f.seq])).toEqual([['extra-version', 2]]);
    expect(report.findings[0].message).toMatch(/delete marker/);
    expect(report).toMatchObject({ size: 3, head: heads[2] });
    // Appending continues after the hidden-looking head.
    expect((await cli(appendArgs(url, 'bob', 'after the marker'), env)).code).toBe(0);
    expect((await verifyJson(url, env)).report.size).toBe(4);
  });

  it('cannot delete a locked version (403 from the server); the log still verifies', async () => {
    const { bucket, url } = await newLog('nodelete', 2);
    const key = `log/${entryKey(0)}`;
    const versions = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
    const versionId = versions.Versions![0].VersionId;
    await expect(client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 403 },
    });
    await expect(
      client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId, BypassGovernanceRetention: true })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    const { code, report } = await verifyJson(url, env);
    expect(code).toBe(0);
    expect(report).toMatchObject({ ok: true, size: 2 });
  });

  it('reports not-locked for a record uploaded with a short GOVERNANCE retention', async () => {
    const { bucket, url, heads } = await newLog('govrec', 2);
    const bytes = encodeRecord({
      v: 1, log: 'default', seq: 2, prev: heads[1] as `sha256:${string}`, time: new Date().toISOString(),
      event_type: 'test.event', component: 'cli', actor: 'mallory', action: 'slipped in', subject: [], details: {}, compliance_tags: [],
    });
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `log/${entryKey(2)}`,
        Body: bytes,
        ContentMD5: md5(bytes),
        ObjectLockMode: 'GOVERNANCE',
        ObjectLockRetainUntilDate: new Date(Date.now() + 86_400_000),
      }),
    );
    const { code, report } = await verifyJson(url, env);
    expect(code).toBe(1);
    expect(report.findings.map((f) => [f.kind, f.seq])).toEqual([['not-locked', 2]]);
    expect(report.head).toBe(recordDigest(bytes));
  });

  it('reports not-locked for records appended after the bucket default was shortened', async () => {
    const { bucket, url } = await newLog('shortened', 1);
    // An admin lowers the default; RGW allows changing the bucket default (not existing versions).
    await client.send(
      new PutObjectLockConfigurationCommand({
        Bucket: bucket,
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 1 } } },
      }),
    );
    // The default URL now refuses to append ...
    const refused = await cli(appendArgs(url, 'bob', 'x'), env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/1 days, shorter than the 2557 days/);
    // ... a writer configured for 1 day appends anyway; the 7-year verifier flags that record.
    const lax = storeUrl(rgw, bucket, 'log', { retention_days: '1' }).href;
    expect((await cli(appendArgs(lax, 'bob', 'short-lived'), env)).code).toBe(0);
    const { code, report } = await verifyJson(url, env);
    expect(code).toBe(1);
    expect(report.findings.map((f) => [f.kind, f.seq])).toEqual([['not-locked', 1]]);
    expect((await verifyJson(lax, env)).code).toBe(0);
  });

  it('signs a checkpoint into the bucket and verifies from it (only the newer records are read)', async () => {
    const { url } = await newLog('checkpoint', 3);
    const dir = mkdtempSync(join(tmpdir(), 'mrg-s3-cp-'));
    try {
      const key = join(dir, 'cp.jwk');
      expect((await cli(['audit', 'keygen', '--out', key], env)).code).toBe(0);
      const cp = await cli(['audit', 'checkpoint', '--store', url, '--key', key], env);
      expect(cp.code).toBe(0);
      expect(cp.stdout).toMatch(/checkpoints\/00000000000000000003\.jws/);
      expect((await cli(appendArgs(url, 'bob', 'after the checkpoint'), env)).code).toBe(0);
      const pub = join(dir, 'cp.pub.jwk');
      const full = await verifyJson(url, env, ['--checkpoint-key', pub]);
      expect(full.report).toMatchObject({ ok: true, size: 4 });
      const inc = await cli(['audit', 'verify', '--store', url, '--checkpoint-key', pub, '--from-checkpoint', '--json'], env);
      expect(inc.code).toBe(0);
      expect(JSON.parse(inc.stdout)).toMatchObject({ ok: true, size: 4, from: 2 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('bad stores: a clear error and nothing written', () => {
    it('refuses a malformed store URL (exit 2)', async () => {
      const r = await cli(appendArgs(`s3://Bad_Bucket/log?endpoint=${rgw.endpoint}`, 'a', 'x'), env);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/not a valid S3 bucket name/);
      const unknown = await cli(appendArgs(`s3://fine-bucket/log?endpoint=${rgw.endpoint}&retention=7`, 'a', 'x'), env);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/unknown parameter "retention"/);
    });

    it('refuses a missing bucket, says to run audit init, and creates nothing (exit 2)', async () => {
      const bucket = uniqueBucket('absent');
      const r = await cli(appendArgs(storeUrl(rgw, bucket, 'log').href, 'a', 'x'), env);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/does not exist/);
      expect(r.stderr).toMatch(/model-gate audit init --store/);
      await expect(client.send(new HeadBucketCommand({ Bucket: bucket }))).rejects.toMatchObject({
        $metadata: { httpStatusCode: 404 },
      });
    });

    it('refuses a bucket without Object Lock and writes nothing (exit 2)', async () => {
      const bucket = uniqueBucket('unlocked');
      await createPlainBucket(client, bucket);
      const r = await cli(appendArgs(storeUrl(rgw, bucket, 'log').href, 'a', 'x'), env);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/Object Lock is not enabled/);
      const listed = await client.send(new ListObjectVersionsCommand({ Bucket: bucket }));
      expect(listed.Versions ?? []).toEqual([]);
    });
  });
});
