// Integration tests of the S3 store against a real Ceph RGW (scripts/s3-server.sh).
import {
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { entryKey } from '../../../src/audit/store.js';
import { openS3Store } from '../../../src/audit/stores/s3-store.js';
import {
  RGW_TEST_KMS_KEY_ID,
  createLockedBucket,
  createPlainBucket,
  describeRgw,
  md5,
  rawClient,
  storeEnv,
  storeUrl,
  text,
  uniqueBucket,
  utf8,
  type RgwEnv,
} from '../../helpers/s3.js';
import { gateErrorOf } from '../../helpers/gate-error.js';

async function versionsOf(client: S3Client, bucket: string, key: string) {
  const out = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
  return {
    versions: (out.Versions ?? []).filter((v) => v.Key === key),
    markers: (out.DeleteMarkers ?? []).filter((m) => m.Key === key),
  };
}

describeRgw('S3 store on Ceph RGW', (rgw: RgwEnv) => {
  const client = rawClient(rgw);
  const env = storeEnv(rgw);

  describe('checkAppendable', () => {
    it('refuses a bucket without Object Lock, naming Object Lock and what to change', async () => {
      const bucket = uniqueBucket('plain');
      await createPlainBucket(client, bucket);
      const store = await openS3Store(storeUrl(rgw, bucket), { env });
      const err = await gateErrorOf(store.checkAppendable());
      expect(err.code).toBe('E_S3_NOT_LOCKED');
      expect(err.exitCode).toBe(2);
      expect(err.describe()).toMatch(/Object Lock is not enabled/);
      expect(err.describe()).toMatch(/audit init/);
    });

    it('refuses a locked bucket without a default retention', async () => {
      const bucket = uniqueBucket('norule');
      await createLockedBucket(client, bucket, { mode: null });
      const store = await openS3Store(storeUrl(rgw, bucket), { env });
      const err = await gateErrorOf(store.checkAppendable());
      expect(err.code).toBe('E_S3_NOT_LOCKED');
      expect(err.message).toMatch(/no default retention/);
    });

    it('refuses a GOVERNANCE default, and accepts it with allow_governance=true', async () => {
      const bucket = uniqueBucket('gov');
      await createLockedBucket(client, bucket, { mode: 'GOVERNANCE', days: 2557 });
      const strict = await openS3Store(storeUrl(rgw, bucket), { env });
      const err = await gateErrorOf(strict.checkAppendable());
      expect(err.code).toBe('E_S3_NOT_LOCKED');
      expect(err.message).toMatch(/GOVERNANCE/);
      expect(err.message).toMatch(/allow_governance=true/);
      const lenient = await openS3Store(storeUrl(rgw, bucket, '', { allow_governance: 'true' }), { env });
      await expect(lenient.checkAppendable()).resolves.toBeUndefined();
    });

    it('refuses a default retention shorter than retention_days (default 2557)', async () => {
      const bucket = uniqueBucket('short');
      await createLockedBucket(client, bucket, { mode: 'COMPLIANCE', days: 30 });
      const store = await openS3Store(storeUrl(rgw, bucket), { env });
      const err = await gateErrorOf(store.checkAppendable());
      expect(err.code).toBe('E_S3_NOT_LOCKED');
      expect(err.message).toMatch(/30 days, shorter than the 2557 days/);
      const relaxed = await openS3Store(storeUrl(rgw, bucket, '', { retention_days: '30' }), { env });
      await expect(relaxed.checkAppendable()).resolves.toBeUndefined();
    });

    it('accepts COMPLIANCE for 7 years given in years', async () => {
      const bucket = uniqueBucket('years');
      await createLockedBucket(client, bucket, { mode: 'COMPLIANCE', years: 7 });
      const store = await openS3Store(storeUrl(rgw, bucket), { env });
      await expect(store.checkAppendable()).resolves.toBeUndefined();
    });

    it('says how to create a missing bucket (E_S3_NO_BUCKET, exit 2)', async () => {
      const store = await openS3Store(storeUrl(rgw, uniqueBucket('missing')), { env });
      const err = await gateErrorOf(store.checkAppendable());
      expect(err.code).toBe('E_S3_NO_BUCKET');
      expect(err.exitCode).toBe(2);
      expect(err.describe()).toMatch(/model-gate audit init --store/);
    });

    it('reports wrong credentials as a credentials error (E_S3_CREDENTIALS, exit 2), not as a missing lock', async () => {
      const bucket = uniqueBucket('creds');
      await createLockedBucket(client, bucket);
      const store = await openS3Store(storeUrl(rgw, bucket), {
        env: { AWS_ACCESS_KEY_ID: 'NOSUCHKEY000000000000', AWS_SECRET_ACCESS_KEY: 'wrong' },
      });
      const err = await gateErrorOf(store.checkAppendable());
      expect(err.code).toBe('E_S3_CREDENTIALS');
      expect(err.exitCode).toBe(2);
    });
  });

  describe('create, read, list, inspect', () => {
    let bucket: string;
    beforeAll(async () => {
      bucket = uniqueBucket('store');
      await createLockedBucket(client, bucket);
    });

    it('owns a key on first create; a second create is refused with the owner bytes although RGW wrote a second version', async () => {
      const store = await openS3Store(storeUrl(rgw, bucket, 'twice'), { env });
      await store.checkAppendable();
      const key = entryKey(0);
      expect(await store.create(key, utf8('{"seq":0,"who":"first"}'))).toEqual({ created: true });
      const second = await store.create(key, utf8('{"seq":0,"who":"second"}'));
      expect(second.created).toBe(false);
      expect(text(second.created ? null : second.existing)).toBe('{"seq":0,"who":"first"}');
      // RGW ignored If-None-Match: both versions exist; the oldest is the record.
      const { versions } = await versionsOf(client, bucket, `twice/${key}`);
      expect(versions).toHaveLength(2);
      expect(text(await store.read(key))).toBe('{"seq":0,"who":"first"}');
    });

    it('treats a repeated create with the same bytes as the same record (idempotent retry)', async () => {
      const store = await openS3Store(storeUrl(rgw, bucket, 'idem'), { env });
      const bytes = utf8('{"seq":0,"x":1}');
      expect(await store.create(entryKey(0), bytes)).toEqual({ created: true });
      const again = await store.create(entryKey(0), bytes);
      expect(again.created ? null : text(again.existing)).toBe('{"seq":0,"x":1}');
    });

    it('gives exactly one owner among 8 concurrent writers of one key', async () => {
      const prefix = 'race';
      const stores = await Promise.all(
        Array.from({ length: 8 }, () => openS3Store(storeUrl(rgw, bucket, prefix), { env })),
      );
      const results = await Promise.all(stores.map((s, i) => s.create(entryKey(7), utf8(`{"writer":${i}}`))));
      const winners = results.map((r, i) => (r.created ? i : -1)).filter((i) => i >= 0);
      expect(winners).toHaveLength(1);
      const owner = `{"writer":${winners[0]}}`;
      for (const r of results) if (!r.created) expect(text(r.existing)).toBe(owner);
      expect(text(await stores[0].read(entryKey(7)))).toBe(owner);
    });

    it('reads the oldest version: a delete marker or a rogue later version neither hides nor replaces a record', async () => {
      const store = await openS3Store(storeUrl(rgw, bucket, 'tamper'), { env });
      await store.create(entryKey(0), utf8('{"seq":0}'));
      await store.create(entryKey(1), utf8('{"seq":1}'));
      await store.create(entryKey(2), utf8('{"seq":2}'));
      await store.create(entryKey(3), utf8('{"seq":3}'));
      // Delete markers hide record 1 (a gap for ListObjectsV2) and record 3 (the tail).
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: `tamper/${entryKey(3)}` }));
      const rogue = '{"seq":0,"forged":true}';
      await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: `tamper/${entryKey(0)}`, Body: rogue, ContentMD5: md5(rogue) }),
      );
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: `tamper/${entryKey(1)}` }));
      // A delete marker on a key that never held a record is not a record.
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: `tamper/${entryKey(5)}` }));

      expect(text(await store.read(entryKey(0)))).toBe('{"seq":0}');
      expect(text(await store.read(entryKey(1)))).toBe('{"seq":1}');
      expect(await store.read(entryKey(5))).toBeNull();
      expect(await store.list('entries')).toEqual([0, 1, 2, 3].map(entryKey));
      expect(await (await openS3Store(storeUrl(rgw, bucket, 'tamper'), { env, pageSize: 1 })).list('entries')).toEqual(
        [0, 1, 2, 3].map(entryKey),
      );

      const i0 = await store.inspect(entryKey(0));
      expect(text(i0.bytes)).toBe('{"seq":0}');
      expect(i0.laterVersions).toHaveLength(1);
      expect(i0.laterVersions[0].deleteMarker).toBe(false);
      expect(text(i0.laterVersions[0].bytes)).toBe(rogue);

      const i1 = await store.inspect(entryKey(1));
      expect(text(i1.bytes)).toBe('{"seq":1}');
      expect(i1.laterVersions).toEqual([{ versionId: expect.any(String), deleteMarker: true }]);

      const i5 = await store.inspect(entryKey(5));
      expect(i5.bytes).toBeNull();
      expect(i5.laterVersions).toEqual([{ versionId: expect.any(String), deleteMarker: true }]);
      // A fresh store instance (no listing cached) sees the same.
      const fresh = await openS3Store(storeUrl(rgw, bucket, 'tamper'), { env });
      expect((await fresh.inspect(entryKey(1))).laterVersions[0].deleteMarker).toBe(true);
      expect(text(await fresh.read(entryKey(0)))).toBe('{"seq":0}');
    });

    it('a store that listed before sees what others appended since, delete-marked or not', async () => {
      const reader = await openS3Store(storeUrl(rgw, bucket, 'incr'), { env });
      const writer = await openS3Store(storeUrl(rgw, bucket, 'incr'), { env });
      await writer.create(entryKey(0), utf8('{"seq":0}'));
      await writer.create(entryKey(1), utf8('{"seq":1}'));
      expect(await reader.list('entries')).toEqual([0, 1].map(entryKey));
      await writer.create(entryKey(2), utf8('{"seq":2}'));
      await writer.create(entryKey(3), utf8('{"seq":3}'));
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: `incr/${entryKey(3)}` }));
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: `incr/${entryKey(1)}` }));
      expect(await reader.list('entries')).toEqual([0, 1, 2, 3].map(entryKey));
      expect(text(await reader.read(entryKey(3)))).toBe('{"seq":3}');
    });

    it('lists after a key (for a verify from a checkpoint), delete-marked records included', async () => {
      const store = await openS3Store(storeUrl(rgw, bucket, 'after'), { env, pageSize: 2 });
      for (let seq = 0; seq < 6; seq++) await store.create(entryKey(seq), utf8(`{"seq":${seq}}`));
      for (const seq of [3, 5, 0]) {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: `after/${entryKey(seq)}` }));
      }
      const fresh = await openS3Store(storeUrl(rgw, bucket, 'after'), { env, pageSize: 2 });
      expect(await fresh.listAfter!('entries', entryKey(1))).toEqual([2, 3, 4, 5].map(entryKey));
      expect(await fresh.listAfter!('entries', entryKey(5))).toEqual([]);
      expect((await fresh.inspect(entryKey(3))).laterVersions).toEqual([{ versionId: expect.any(String), deleteMarker: true }]);
      expect(text((await fresh.inspect(entryKey(0))).bytes)).toBe('{"seq":0}');
    });

    it('refuses to delete a locked version (403) and keeps the record', async () => {
      const store = await openS3Store(storeUrl(rgw, bucket, 'del'), { env });
      await store.create(entryKey(0), utf8('{"seq":0}'));
      const { versions } = await versionsOf(client, bucket, `del/${entryKey(0)}`);
      await expect(
        client.send(
          new DeleteObjectCommand({ Bucket: bucket, Key: `del/${entryKey(0)}`, VersionId: versions[0].VersionId }),
        ),
      ).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
      expect(text(await store.read(entryKey(0)))).toBe('{"seq":0}');
    });

    it('shows the owning version retention: COMPLIANCE until at least creation + retention_days', async () => {
      const store = await openS3Store(storeUrl(rgw, bucket, 'ret'), { env });
      await store.create(entryKey(0), utf8('{"seq":0}'));
      const { retention } = await store.inspect(entryKey(0));
      expect(retention?.mode).toBe('COMPLIANCE');
      expect(retention?.createdAt).toBeInstanceOf(Date);
      const days = (retention!.retainUntil!.getTime() - retention!.createdAt!.getTime()) / 86_400_000;
      expect(days).toBeGreaterThanOrEqual(2557 - 1);
      expect(days).toBeLessThan(2557 + 1);
    });

    it('reports a version written with no retention (mode null)', async () => {
      const b = uniqueBucket('noret');
      await createLockedBucket(client, b, { mode: null });
      const store = await openS3Store(storeUrl(rgw, b), { env });
      await store.create(entryKey(0), utf8('{"seq":0}'));
      const { retention } = await store.inspect(entryKey(0));
      expect(retention).toEqual({ mode: null, retainUntil: null, createdAt: expect.any(Date) });
    });

    it('lists across pages, ascending, and keeps prefixes apart', async () => {
      const a = await openS3Store(storeUrl(rgw, bucket, 'pages/a'), { env, pageSize: 3 });
      const b = await openS3Store(storeUrl(rgw, bucket, 'pages/b'), { env, pageSize: 3 });
      for (const seq of [4, 0, 9, 1, 3, 2, 8, 5, 7, 6]) await a.create(entryKey(seq), utf8(`{"seq":${seq}}`));
      await a.create(entryKey(3), utf8('{"loser":true}')); // a second version on one key
      await b.create(entryKey(0), utf8('{"b":0}'));
      expect(await a.list('entries')).toEqual(Array.from({ length: 10 }, (_, i) => entryKey(i)));
      expect(await b.list('entries')).toEqual([entryKey(0)]);
      expect(await a.list('checkpoints')).toEqual([]);
      expect(text((await a.inspect(entryKey(3))).laterVersions[0]?.bytes)).toBe('{"loser":true}');
      // Exact-key listing pages too (many versions of one key).
      const many = await openS3Store(storeUrl(rgw, bucket, 'pages/many'), { env, pageSize: 2 });
      await many.create(entryKey(0), utf8('{"first":true}'));
      for (let i = 0; i < 4; i++) await many.create(entryKey(0), utf8(`{"later":${i}}`));
      await many.create(entryKey(1), utf8('{"next":true}'));
      const fresh = await openS3Store(storeUrl(rgw, bucket, 'pages/many'), { env, pageSize: 2 });
      expect(text(await fresh.read(entryKey(0)))).toBe('{"first":true}');
      expect((await fresh.inspect(entryKey(0))).laterVersions.map((v) => text(v.bytes))).toEqual([
        '{"later":0}',
        '{"later":1}',
        '{"later":2}',
        '{"later":3}',
      ]);
    });

    it('writes checkpoints beside entries, and a missing key reads as null', async () => {
      const store = await openS3Store(storeUrl(rgw, bucket, 'cp'), { env });
      expect(await store.read(entryKey(0))).toBeNull();
      expect(await store.create('checkpoints/00000000000000000001.jws', utf8('a.b.c'))).toEqual({ created: true });
      expect(await store.list('checkpoints')).toEqual(['checkpoints/00000000000000000001.jws']);
      const head = await client.send(
        new HeadObjectCommand({ Bucket: bucket, Key: 'cp/checkpoints/00000000000000000001.jws' }),
      );
      expect(head.ContentType).toBe('application/jose');
    });

    it('encrypts records at rest with sse=aws:kms', async () => {
      const store = await openS3Store(
        storeUrl(rgw, bucket, 'kms', { sse: 'aws:kms', kms_key_id: RGW_TEST_KMS_KEY_ID }),
        { env },
      );
      await store.create(entryKey(0), utf8('{"secret":true}'));
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: `kms/${entryKey(0)}` }));
      expect(head.ServerSideEncryption).toBe('aws:kms');
      expect(head.SSEKMSKeyId).toBe(RGW_TEST_KMS_KEY_ID);
      expect(text(await store.read(entryKey(0)))).toBe('{"secret":true}');
    });
  });
});
