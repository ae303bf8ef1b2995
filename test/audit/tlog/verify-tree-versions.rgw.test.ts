// verify-tree on a real Ceph RGW (scripts/s3-server.sh), COMPLIANCE bucket:
// later versions and delete markers of entry keys are reported as `audit
// verify` reports them (`extra-version`), for records read from bundles as
// for the tail, from one listing of every version, not one request per
// record; a race loser's version (its event reappears further on) is not.
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { appendAndCheckpoint } from '../../../src/audit/append-checkpoint.js';
import { generateCheckpointKeyPair, loadSigningKey } from '../../../src/audit/checkpoint.js';
import { openStore } from '../../../src/audit/open-store.js';
import { encodeRecord, parseRecord } from '../../../src/audit/record.js';
import { entryKey } from '../../../src/audit/store.js';
import { ed25519KeysOfJwk, logVkeys } from '../../../src/audit/tlog/ed25519-keys.js';
import { verifyTree } from '../../../src/audit/tlog/verify-tree.js';
import { createLockedBucket, describeRgw, rawClient, storeEnv, storeUrl, uniqueBucket, type RgwEnv } from '../../helpers/s3.js';

const LOG = 'acme/fraud-model';

describeRgw('verify-tree and the versions of entry keys on Ceph RGW', (rgw: RgwEnv) => {
  const client = rawClient(rgw);

  it('a rogue later version and a delete marker on bundled and tail entries are extra-version; a race loser\'s version is not', async () => {
    const bucket = uniqueBucket('treevers');
    await createLockedBucket(client, bucket);
    const store = await openStore(storeUrl(rgw, bucket, 'log').href, { env: storeEnv(rgw) });
    const pair = await generateCheckpointKeyPair('EdDSA');
    const signingKey = await loadSigningKey(JSON.stringify(pair.privateJwk), 'test key');
    const logKeys = logVkeys(LOG, ed25519KeysOfJwk(JSON.stringify(pair.publicJwk)));
    const N = 259;
    for (let i = 0; i < N; i++) {
      await appendAndCheckpoint([store], [{ log: LOG, event_type: 'GATE_VERDICT', component: 't', actor: 'a', action: `event ${i}` }], i === N - 1 ? { signingKey } : {});
    }
    const clean = await verifyTree(store, { logKeys, origin: LOG });
    expect(clean.findings).toEqual([]);

    const put = (seq: number, body: Uint8Array | string) => client.send(new PutObjectCommand({ Bucket: bucket, Key: `log/${entryKey(seq)}`, Body: body }));
    const bytesOf = async (seq: number) => (await store.read(entryKey(seq)))!;
    // Inside the bundle: a rogue version of record 5, a delete marker on record 100.
    await put(5, Buffer.from((await bytesOf(5)).toString().replace('event 5', 'event X')));
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: `log/${entryKey(100)}` }));
    // In the tail: a delete marker on record 257.
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: `log/${entryKey(257)}` }));
    // A race loser: record 258's event written at seq 20 too, after 20's owner (it then took 258).
    const loser = parseRecord(await bytesOf(258));
    if (!loser.ok) throw new Error(loser.reason);
    await put(20, encodeRecord({ ...loser.record, seq: 20 }));

    const r = await verifyTree(store, { logKeys, origin: LOG });
    expect(r.findings.map((f) => `${f.kind}@${f.seq}`)).toEqual(['extra-version@5', 'extra-version@100', 'extra-version@257']);
    expect(r.findings[0].message).toMatch(/^entry 5 has a later version .+ that is not a race loser's record$/);
    expect(r.findings[1].message).toMatch(/^entry 100 has a delete marker \(version .+\)$/);
    expect(r.read.bundled).toBe(256);
  }, 600_000);
});
