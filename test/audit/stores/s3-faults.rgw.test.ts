// Appends through a fault-injecting proxy in front of a real Ceph RGW
// (scripts/s3-server.sh): every append either succeeds exactly once or fails
// with exit 3, and the log stays clean.
import { ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { entryKey } from '../../../src/audit/store.js';
import { appendArgs, cli, verifyJson } from '../../helpers/s3-cli.js';
import { randomFaults, startFaultProxy, type FaultProxy } from '../../helpers/s3-fault-proxy.js';
import { createLockedBucket, describeRgw, rawClient, storeEnv, storeUrl, uniqueBucket, type RgwEnv } from '../../helpers/s3.js';

interface Outcome {
  event: string;
  code: number;
  seq?: number;
  digest?: string;
  stderr: string;
}

describeRgw('appends through an unreliable network to Ceph RGW', (rgw: RgwEnv) => {
  const client = rawClient(rgw);
  // Short timeouts so slow answers and retries take seconds, not minutes.
  const env = storeEnv(rgw, { MRG_S3_TIMEOUT_MS: '700', MRG_S3_CONNECT_TIMEOUT_MS: '500', MRG_S3_MAX_ATTEMPTS: '3' });
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await startFaultProxy(rgw.endpoint, { slowAnswerMs: 1500 });
  });
  afterAll(async () => {
    await proxy.close();
  });

  async function append(url: string, event: string): Promise<Outcome> {
    const r = await cli(appendArgs(url, 'faulty', event, { event }), env);
    const out: Outcome = { event, code: r.code, stderr: r.stderr };
    if (r.code === 0) Object.assign(out, JSON.parse(r.stdout) as object);
    return out;
  }

  /** The stored log: seq -> event, read straight from RGW (no proxy). */
  async function storedEvents(bucket: string): Promise<{ events: string[]; digests: Map<number, string> }> {
    const shown = await cli(['audit', 'show', '--store', storeUrl(rgw, bucket, 'log').href, '--json'], storeEnv(rgw));
    const rows = JSON.parse(shown.stdout) as { seq: number; digest: string; record: { details: { event: string } } }[];
    return { events: rows.map((r) => r.record.details.event), digests: new Map(rows.map((r) => [r.seq, r.digest])) };
  }

  it('random drops, slow answers, 503 SlowDown and 500s: each append once or exit 3; verify clean', async () => {
    const bucket = uniqueBucket('faults');
    await createLockedBucket(client, bucket);
    const viaProxy = storeUrl(rgw, bucket, 'log', {}, proxy.endpoint).href;
    proxy.setSchedule(
      randomFaults(20261127, { pass: 60, 'drop-before': 8, 'drop-after': 8, 'slow-answer': 6, slowdown: 10, 'error-after': 8 }),
    );
    const outcomes: Outcome[] = [];
    // Two writers at once, so faults meet races too.
    await Promise.all(
      ['a', 'b'].map(async (w) => {
        for (let i = 0; i < 10; i++) outcomes.push(await append(viaProxy, `${w}${i}`));
      }),
    );
    proxy.setSchedule(() => 'pass');
    for (const o of outcomes) {
      expect([0, 3]).toContain(o.code);
      if (o.code === 3) expect(o.stderr).toMatch(/S3|store/);
    }
    const ok = outcomes.filter((o) => o.code === 0);
    expect(ok.length).toBeGreaterThan(0);
    expect(proxy.counts['drop-after'] + proxy.counts['error-after'] + proxy.counts['slow-answer']).toBeGreaterThan(0);

    const { code, report } = await verifyJson(storeUrl(rgw, bucket, 'log').href, storeEnv(rgw));
    expect(report.findings).toEqual([]);
    expect(code).toBe(0);
    const { events, digests } = await storedEvents(bucket);
    // No event twice; every success exactly where and as its writer was told.
    expect(new Set(events).size).toBe(events.length);
    for (const o of ok) {
      expect(events.filter((e) => e === o.event)).toHaveLength(1);
      expect(digests.get(o.seq as number)).toBe(o.digest);
    }
    // A failed append may or may not have landed (exit 3 promises nothing was reported written), but never twice.
    process.stderr.write(`note: fault run: ${ok.length}/20 appended, faults ${JSON.stringify(proxy.counts)}\n`);
  }, 300_000);

  it('a PUT that lands but whose answer is lost is not written twice', async () => {
    const bucket = uniqueBucket('lostanswer');
    await createLockedBucket(client, bucket);
    const viaProxy = storeUrl(rgw, bucket, 'log', {}, proxy.endpoint).href;
    let puts = 0;
    // The first PUT of each append reaches RGW, and its answer is lost.
    proxy.setSchedule((r) => (r.method === 'PUT' && puts++ % 2 === 0 ? 'drop-after' : 'pass'));
    const first = await append(viaProxy, 'one');
    const second = await append(viaProxy, 'two');
    proxy.setSchedule(() => 'pass');
    expect([first.code, second.code]).toEqual([0, 0]);
    expect([first.seq, second.seq]).toEqual([0, 1]);
    for (const seq of [0, 1]) {
      const key = `log/${entryKey(seq)}`;
      const v = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
      expect((v.Versions ?? []).filter((x) => x.Key === key)).toHaveLength(1);
    }
    const { code, report } = await verifyJson(storeUrl(rgw, bucket, 'log').href, storeEnv(rgw));
    expect(code).toBe(0);
    expect(report).toMatchObject({ ok: true, size: 2, findings: [], superseded: [] });
  }, 120_000);

  it('a store that keeps answering 503 SlowDown fails the append with exit 3 and writes nothing', async () => {
    const bucket = uniqueBucket('slowdown');
    await createLockedBucket(client, bucket);
    expect((await append(storeUrl(rgw, bucket, 'log').href, 'before')).code).toBe(0);
    proxy.setSchedule(() => 'slowdown');
    const r = await append(storeUrl(rgw, bucket, 'log', {}, proxy.endpoint).href, 'during');
    proxy.setSchedule(() => 'pass');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/SlowDown/);
    expect((await storedEvents(bucket)).events).toEqual(['before']);
  }, 120_000);
});
