// The deployment rule's proof path on a real Ceph RGW (scripts/s3-server.sh),
// COMPLIANCE bucket: the record index written by the real append is found,
// and an attacker who can write to the bucket but not rewrite locked
// versions cannot hide or redirect it: a delete marker on an index slot or
// on the newest note, and a later version of a slot naming another record,
// change nothing the rule reads (the oldest version is the object).
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { appendAndCheckpoint } from '../../../src/audit/append-checkpoint.js';
import { generateCheckpointKeyPair, loadSigningKey } from '../../../src/audit/checkpoint.js';
import { openStore } from '../../../src/audit/open-store.js';
import { modelReleaseRecord } from '../../../src/audit/release-record.js';
import type { AuditStore } from '../../../src/audit/store.js';
import { ed25519KeysOfJwk, logVkeys } from '../../../src/audit/tlog/ed25519-keys.js';
import { noteKey } from '../../../src/audit/tlog/note-io.js';
import { indexKey, subjectIndexName } from '../../../src/audit/tlog/record-index.js';
import { releaseEvidenceByProof } from '../../../src/audit/tlog/release-inclusion.js';
import { sha256, type Digest } from '../../../src/core/digest.js';
import { createLockedBucket, describeRgw, rawClient, storeEnv, storeUrl, uniqueBucket, type RgwEnv } from '../../helpers/s3.js';

const LOG = 'acme/fraud-model';

describeRgw('the release record by proof on Ceph RGW', (rgw: RgwEnv) => {
  const client = rawClient(rgw);

  it('attack: delete markers on the index slot and the newest note, a later version of the slot: the release is still found and proven, in a few GETs', async () => {
    const bucket = uniqueBucket('relproof');
    await createLockedBucket(client, bucket);
    const store = await openStore(storeUrl(rgw, bucket, 'log').href, { env: storeEnv(rgw) });
    const pair = await generateCheckpointKeyPair('EdDSA');
    const signingKey = await loadSigningKey(JSON.stringify(pair.privateJwk), 'test key');
    const logKeys = logVkeys(LOG, ed25519KeysOfJwk(JSON.stringify(pair.publicJwk)));
    const release = (digest: Digest) =>
      modelReleaseRecord(
        { modelPath: 'm.onnx', modelDigest: digest, metadataPath: 'metadata.json', metadataDigest: sha256(`meta ${digest}`), reproducibilityDigest: sha256('r'), datasets: [] },
        { repository: LOG, actor: 'release-bot', component: 'action' },
      );
    const model = sha256('weights a');
    const decoy = sha256('weights decoy');
    const other = (i: number) => ({ log: LOG, event_type: 'GATE_VERDICT', component: 't', actor: 'a', action: `other ${i}` });
    const d = (await appendAndCheckpoint([store], [release(decoy)], { signingKey })).records[0].seq;
    for (let i = 0; i < 5; i++) await appendAndCheckpoint([store], [other(i)]);
    const rel = (await appendAndCheckpoint([store], [release(model)], { signingKey })).records[0].seq;
    for (let i = 0; i < 5; i++) await appendAndCheckpoint([store], [other(i)]);
    await appendAndCheckpoint([store], [other(99)], { signingKey });
    const size = rel + 7;

    const slot = `log/${indexKey(subjectIndexName(model), 0)}`;
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: slot, Body: `${d}\n` }));
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: slot }));
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: `log/${noteKey(size)}` }));

    const calls: Record<string, number> = {};
    const counted = new Proxy(store, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          calls[String(prop)] = (calls[String(prop)] ?? 0) + 1;
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    }) as AuditStore;
    const r = await releaseEvidenceByProof([counted], { logKeys, origin: LOG, digests: [model] });
    if (!r.ok) throw new Error(r.why);
    expect(r.evidence.records.map((x) => x.seq)).toEqual([rel]);
    expect(r.evidence.size).toBe(size);
    // Index slots 0 and 1, the entry, the note, the tiles: nothing near one read per record.
    expect(calls.read).toBeLessThanOrEqual(10);
    expect(calls.listAfter).toBe(1);
  }, 300_000);
});
