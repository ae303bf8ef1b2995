// `model-gate audit init` against a real Ceph RGW (scripts/s3-server.sh).
import { GetObjectLockConfigurationCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { appendArgs, cli, verifyJson } from '../../helpers/s3-cli.js';
import { createLockedBucket, createPlainBucket, describeRgw, rawClient, storeEnv, storeUrl, uniqueBucket, type RgwEnv } from '../../helpers/s3.js';

describeRgw('audit init on Ceph RGW', (rgw: RgwEnv) => {
  const client = rawClient(rgw);
  const env = storeEnv(rgw);
  const lockOf = async (bucket: string) =>
    (await client.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }))).ObjectLockConfiguration;

  it('creates a bucket with Object Lock, COMPLIANCE for 2557 days, ready for append and verify', async () => {
    const bucket = uniqueBucket('init');
    const url = storeUrl(rgw, bucket, 'org/repo').href;
    const r = await cli(['audit', 'init', '--store', url], env);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/created bucket .* COMPLIANCE for 2557 days/);
    expect(await lockOf(bucket)).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2557 } },
    });
    expect((await cli(appendArgs(url, 'alice', 'first'), env)).code).toBe(0);
    expect((await verifyJson(url, env)).report).toMatchObject({ ok: true, size: 1 });
    // Again: the bucket complies, so it is left alone (exit 0).
    const again = await cli(['audit', 'init', '--store', url, '--json'], env);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ bucket, created: false, mode: 'COMPLIANCE', days: 2557 });
  });

  it('takes --retention-days and --mode GOVERNANCE (with a note that append needs allow_governance)', async () => {
    const bucket = uniqueBucket('initgov');
    const url = storeUrl(rgw, bucket).href;
    const r = await cli(['audit', 'init', '--store', url, '--retention-days', '30', '--mode', 'GOVERNANCE', '--json'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ bucket, created: true, mode: 'GOVERNANCE', days: 30 });
    expect(r.stderr).toMatch(/allow_governance=true/);
    expect(await lockOf(bucket)).toEqual({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 30 } } });
    const ok = storeUrl(rgw, bucket, '', { retention_days: '30', allow_governance: 'true' }).href;
    expect((await cli(appendArgs(ok, 'alice', 'x'), env)).code).toBe(0);
  });

  it('takes the retention from the URL when no flag is given', async () => {
    const bucket = uniqueBucket('initurl');
    const r = await cli(['audit', 'init', '--store', storeUrl(rgw, bucket, '', { retention_days: '3650' }).href, '--json'], env);
    expect(JSON.parse(r.stdout)).toMatchObject({ created: true, mode: 'COMPLIANCE', days: 3650 });
  });

  it('leaves an existing bucket without Object Lock unchanged and says what is wrong (exit 2)', async () => {
    const bucket = uniqueBucket('initplain');
    await createPlainBucket(client, bucket);
    const r = await cli(['audit', 'init', '--store', storeUrl(rgw, bucket).href], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already exists and does not comply/);
    expect(r.stderr).toMatch(/Object Lock is not enabled/);
    await expect(lockOf(bucket)).rejects.toMatchObject({ name: 'ObjectLockConfigurationNotFoundError' });
  });

  it('refuses an existing GOVERNANCE or too-short bucket for a COMPLIANCE init, changing nothing (exit 2)', async () => {
    const gov = uniqueBucket('initexgov');
    await createLockedBucket(client, gov, { mode: 'GOVERNANCE', days: 2557 });
    const r = await cli(['audit', 'init', '--store', storeUrl(rgw, gov).href], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/GOVERNANCE/);
    expect((await lockOf(gov))?.Rule?.DefaultRetention?.Mode).toBe('GOVERNANCE');
    const short = uniqueBucket('initexshort');
    await createLockedBucket(client, short, { mode: 'COMPLIANCE', days: 10 });
    const s = await cli(['audit', 'init', '--store', storeUrl(rgw, short).href], env);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/10 days, shorter than the 2557 days/);
  });

  it('refuses non-S3 stores and bad URLs without touching the server (exit 2)', async () => {
    const f = await cli(['audit', 'init', '--store', 'file://.audit'], env);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/not an s3:\/\/ URL/);
    const bad = uniqueBucket('initbad');
    const b = await cli(['audit', 'init', '--store', `s3://${bad}?endpoint=${rgw.endpoint}&mode=x`], env);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/unknown parameter "mode"/);
    await expect(client.send(new HeadBucketCommand({ Bucket: bad }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    const days = await cli(['audit', 'init', '--store', storeUrl(rgw, bad).href, '--retention-days', '7y'], env);
    expect(days.code).toBe(2);
  });
});
