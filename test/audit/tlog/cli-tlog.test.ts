/**
 * The transparency-log commands end to end on the file store: appends with
 * a checkpoint key publish tiles and signed notes; `audit prove` and
 * `audit check-proof` make and check a receipt offline; Go's sumdb code
 * (test/tlog-check) accepts the store the real append wrote.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../../src/audit/open-store.js';
import { entryKey } from '../../../src/audit/store.js';
import { ed25519KeysOfJwk, logVkeys } from '../../../src/audit/tlog/ed25519-keys.js';
import { releaseEvidenceByProof } from '../../../src/audit/tlog/release-inclusion.js';
import type { Digest } from '../../../src/core/digest.js';
import { cli } from '../cli-harness.js';
import { tempDirs } from '../temp-dir.js';

const tmp = tempDirs();
const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..');
const LOG = 'acme/fraud-model';

async function appendN(dir: string, from: number, to: number, extra: string[] = []) {
  for (let i = from; i < to; i++) {
    const r = await cli(dir, ['audit', 'append', '--store', 'log', '--log', LOG, '--event-type', 'MODEL_RELEASE', '--actor', 'alice', '--action', `release ${i}`, '--json', ...extra]);
    if (r.code !== 0) throw new Error(`append ${i}: ${r.stderr}`);
  }
}

describe('audit prove / check-proof / vkey / tiles (file store)', () => {
  it('an append with an Ed25519 checkpoint key publishes tiles and a signed note; the receipt checks offline and fails for an edited record', async () => {
    const dir = tmp();
    expect((await cli(dir, ['audit', 'keygen', '--out', 'key.jwk'])).code).toBe(0);
    await appendN(dir, 0, 3, ['--checkpoint-key', 'key.jwk']);
    const log = join(dir, 'log');
    expect(existsSync(join(log, 'tile', '0', '000.p', '3'))).toBe(true);
    expect(existsSync(join(log, 'checkpoints', `${'3'.padStart(20, '0')}.note`))).toBe(true);
    const vk = await cli(dir, ['audit', 'vkey', '--key', 'key.pub.jwk', '--store', 'log']);
    expect(vk.code).toBe(0);
    const vkey = vk.stdout.trim();
    expect(vkey).toMatch(/^acme\/fraud-model\+[0-9a-f]{8}\+/);
    writeFileSync(join(dir, 'log.vkey'), `${vkey}\n`);

    const prove = await cli(dir, ['audit', 'prove', '--store', 'log', '--seq', '1', '--key', 'key.pub.jwk', '--out', 'r1.tlog-proof', '--record-out', 'r1.json']);
    expect(prove.stderr).toMatch(/wrote the proof of record 1 at size 3/);
    expect(readFileSync(join(dir, 'r1.tlog-proof'), 'utf8')).toMatch(/^c2sp\.org\/tlog-proof@v1\nindex 1\n/);
    for (const key of ['log.vkey', vkey, 'key.pub.jwk']) {
      const ok = await cli(dir, ['audit', 'check-proof', 'r1.tlog-proof', '--record', 'r1.json', '--key', key, '--json']);
      expect(ok.json()).toEqual({ ok: true, index: 1, size: 3, log: LOG, cosigners: [] });
      expect(ok.code).toBe(0);
    }
    // The receipt does not cover another record, nor this one edited.
    writeFileSync(join(dir, 'r0.json'), readFileSync(join(log, entryKey(0))));
    const other = await cli(dir, ['audit', 'check-proof', 'r1.tlog-proof', '--record', 'r0.json', '--key', vkey]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/proof does not verify/);
    writeFileSync(join(dir, 'r1x.json'), readFileSync(join(dir, 'r1.json'), 'utf8').replace('release 1', 'release X'));
    expect((await cli(dir, ['audit', 'check-proof', 'r1.tlog-proof', '--record', 'r1x.json', '--key', vkey])).code).toBe(1);
    // Another log's name pinned: refused.
    expect((await cli(dir, ['audit', 'check-proof', 'r1.tlog-proof', '--record', 'r1.json', '--key', vkey, '--log', 'acme/other'])).code).toBe(1);
    // Bad input is exit 2 and names the file; an existing --out is never overwritten.
    const missing = await cli(dir, ['audit', 'check-proof', 'nope.tlog-proof', '--record', 'r1.json', '--key', vkey]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.tlog-proof/);
    const again = await cli(dir, ['audit', 'prove', '--store', 'log', '--seq', '1', '--key', vkey, '--out', 'r1.tlog-proof']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/never overwritten/);
    // A record the newest note does not cover.
    expect((await cli(dir, ['audit', 'prove', '--store', 'log', '--seq', '3', '--key', vkey])).code).toBe(2);
  });

  it('a record edited in entries/ after it was logged cannot get a receipt (prove refuses, exit 1)', async () => {
    const dir = tmp();
    expect((await cli(dir, ['audit', 'keygen', '--out', 'key.jwk'])).code).toBe(0);
    await appendN(dir, 0, 4, ['--checkpoint-key', 'key.jwk']);
    const file = join(dir, 'log', entryKey(2));
    chmodSync(file, 0o644);
    writeFileSync(file, readFileSync(file, 'utf8').replace('release 2', 'release X'));
    const r = await cli(dir, ['audit', 'prove', '--store', 'log', '--seq', '2', '--key', 'key.pub.jwk']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/altered after it was logged/);
  });

  it('a log written before tiles existed: appends skip the tree until `audit tiles` backfills it, then the Go checker accepts the store', async () => {
    const dir = tmp();
    expect((await cli(dir, ['audit', 'keygen', '--out', 'key.jwk'])).code).toBe(0);
    await appendN(dir, 0, 300);
    // Simulate the older version: no tiles at all.
    spawnSync('rm', ['-rf', join(dir, 'log', 'tile')]);
    await appendN(dir, 300, 301, ['--checkpoint-key', 'key.jwk']);
    expect(existsSync(join(dir, 'log', 'checkpoints', `${'301'.padStart(20, '0')}.note`))).toBe(false);
    const t = await cli(dir, ['audit', 'tiles', '--store', 'log', '--json']);
    expect(t.code).toBe(0);
    expect(t.json()).toMatchObject({ size: 301 });
    expect((await cli(dir, ['audit', 'tiles', '--store', 'log', '--json'])).json()).toEqual({ size: 301, created: 0, indexed: 0 });
    expect((await cli(dir, ['audit', 'tiles', '--store', 'log', '--checkpoint-key', 'key.jwk', '--json'])).json()).toEqual({ size: 301, created: 0, indexed: 0, note: `checkpoints/${'301'.padStart(20, '0')}.note` });
    await appendN(dir, 301, 520, ['--checkpoint-key', 'key.jwk']);
    const vkey = (await cli(dir, ['audit', 'vkey', '--key', 'key.pub.jwk', '--log', LOG])).stdout.trim();
    const built = spawnSync('bash', [join(root, 'scripts', 'build-tlog-check.sh')], { encoding: 'utf8' });
    expect(built.status).toBe(0);
    const go = spawnSync(built.stdout.trim(), ['store', join(dir, 'log'), vkey], { encoding: 'utf8' });
    expect(go.stderr).toBe('');
    expect(go.status).toBe(0);
    expect(go.stdout).toMatch(/ok consistent 301 -> 302/);
    expect(go.stdout).toMatch(/ok consistent 519 -> 520/);
    expect(go.stdout).toMatch(/ok 512 bundled records hash to their leaves/);
  }, 120_000);

  it('a log written before the record index existed: `audit tiles` indexes its releases, and the deployment rule\'s proof path then finds them', async () => {
    const dir = tmp();
    expect((await cli(dir, ['audit', 'keygen', '--out', 'key.jwk'])).code).toBe(0);
    const model = (i: number) => `sha256:${String(i).repeat(64)}` as Digest;
    for (let i = 1; i <= 3; i++) {
      const r = await cli(dir, ['audit', 'append', '--store', 'log', '--log', LOG, '--event-type', 'MODEL_RELEASE', '--actor', 'a', '--action', `release ${i}`, '--subject', model(i), '--checkpoint-key', 'key.jwk']);
      expect(r.code).toBe(0);
    }
    // Simulate the older version: no index.
    spawnSync('rm', ['-rf', join(dir, 'log', 'index')]);
    const store = await openStore(`file://${join(dir, 'log')}`, { env: {} });
    const logKeys = logVkeys(LOG, ed25519KeysOfJwk(readFileSync(join(dir, 'key.pub.jwk'), 'utf8')));
    expect((await releaseEvidenceByProof([store], { logKeys, origin: LOG, digests: [model(2)] })).ok).toBe(false);
    const t = await cli(dir, ['audit', 'tiles', '--store', 'log', '--json']);
    expect(t.json()).toEqual({ size: 3, created: 0, indexed: 3 });
    const r = await releaseEvidenceByProof([store], { logKeys, origin: LOG, digests: [model(2)] });
    expect(r.ok && r.evidence.records.map((x) => x.seq)).toEqual([1]);
    // Idempotent: a second run adds nothing and still reports what it indexed.
    expect((await cli(dir, ['audit', 'tiles', '--store', 'log', '--json'])).json()).toEqual({ size: 3, created: 0, indexed: 3 });
    expect(readdirSync(join(dir, 'log', 'index')).length).toBe(3);
  });

  it('an honest append after a rollback of the log finds the tiles disagree (tile-mismatch, exit 1) and says the record is stored', async () => {
    const dir = tmp();
    await appendN(dir, 0, 6);
    for (let i = 3; i < 6; i++) spawnSync('rm', ['-f', join(dir, 'log', entryKey(i))]);
    const r = await cli(dir, ['audit', 'append', '--store', 'log', '--event-type', 'X', '--actor', 'bob', '--action', 'after the rollback']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/record 3 was appended, but its tiles could not be published: .*tile-mismatch: tile\/0\/000\.p\/4 holds/);
  });
});
