/**
 * From issue 11 item 13: a JWK Set whose keys have no `kid` failed genuine
 * checkpoints (jose matches the JWS header's `kid` against the set's, and
 * ours is the key's thumbprint), while the same single JWK passed; and an
 * empty JWK Set was accepted, so nothing could ever verify. Now a key of a
 * set matches by its own `kid` or by its thumbprint, and an empty set is an
 * input error (exit 2).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from './cli-harness.js';
import { tempDirs } from './temp-dir.js';

const tmp = tempDirs();

/** A log of 3 records with a checkpoint by key "old" at 2 and by key "new" at 3. */
async function rotatedLog(): Promise<{ dir: string; log: string; pub: (name: string) => Record<string, unknown> }> {
  const dir = tmp();
  const log = join(dir, 'log');
  for (const name of ['old', 'new']) expect((await cli(dir, ['audit', 'keygen', '--out', `${name}.jwk`])).code).toBe(0);
  const append = () => cli(dir, ['audit', 'append', '--store', log, '--event-type', 'x', '--actor', 'a', '--action', 'x']);
  await append();
  await append();
  expect((await cli(dir, ['audit', 'checkpoint', '--store', log, '--key', 'old.jwk'])).code).toBe(0);
  await append();
  writeFileSync(join(dir, 'both.pub.jwks'), JSON.stringify({ keys: [JSON.parse(readFileSync(join(dir, 'old.pub.jwk'), 'utf8')), JSON.parse(readFileSync(join(dir, 'new.pub.jwk'), 'utf8'))] }));
  expect((await cli(dir, ['audit', 'checkpoint', '--store', log, '--key', 'new.jwk', '--checkpoint-key', 'both.pub.jwks'])).code).toBe(0);
  return { dir, log, pub: (name) => JSON.parse(readFileSync(join(dir, `${name}.pub.jwk`), 'utf8')) };
}

const withoutKid = ({ kid: _kid, ...rest }: Record<string, unknown>) => rest;

describe('checkpoint keys as a JWK Set', () => {
  it('keys without a kid verify genuine checkpoints, as the same single JWK does', async () => {
    const { dir, log, pub } = await rotatedLog();
    writeFileSync(join(dir, 'single.jwk'), JSON.stringify(withoutKid(pub('new'))));
    writeFileSync(join(dir, 'set.jwks'), JSON.stringify({ keys: [withoutKid(pub('old')), withoutKid(pub('new'))] }));
    const single = await cli(dir, ['audit', 'verify', '--store', log, '--checkpoint-key', 'single.jwk', '--json']);
    const set = await cli(dir, ['audit', 'verify', '--store', log, '--checkpoint-key', 'set.jwks', '--json']);
    expect(set.json()).toMatchObject({ ok: true, status: 'intact', stores: [expect.objectContaining({ checkpoints: { valid: 2, bad: 0, unchecked: 0 } })] });
    expect(set.code).toBe(0);
    // The single key vouches for its own checkpoint; the old key's checkpoint is then a finding, as it should be.
    expect(single.json().findings.map((f: { kind: string; seq: number }) => `${f.kind}@${f.seq}`)).toEqual(['bad-checkpoint@1']);
  });

  it('a kid the owner chose (not the thumbprint) still matches by the key itself', async () => {
    const { dir, log, pub } = await rotatedLog();
    writeFileSync(join(dir, 'named.jwks'), JSON.stringify({ keys: [{ ...pub('old'), kid: '2025-q4' }, { ...pub('new'), kid: '2026-q1' }] }));
    const r = await cli(dir, ['audit', 'verify', '--store', log, '--checkpoint-key', 'named.jwks', '--from-checkpoint', '--json']);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ ok: true, status: 'intact', from: 2 });
  });

  it('a set without the signing key still fails the checkpoint (bad-checkpoint)', async () => {
    const { dir, log, pub } = await rotatedLog();
    writeFileSync(join(dir, 'old-only.jwks'), JSON.stringify({ keys: [withoutKid(pub('old'))] }));
    const r = await cli(dir, ['audit', 'verify', '--store', log, '--checkpoint-key', 'old-only.jwks', '--json']);
    expect(r.code).toBe(1);
    expect(r.json().findings.map((f: { kind: string; seq: number }) => `${f.kind}@${f.seq}`)).toEqual(['bad-checkpoint@2']);
  });

  it('an empty JWK Set is refused (exit 2), for verify and checkpoint alike', async () => {
    const { dir, log } = await rotatedLog();
    writeFileSync(join(dir, 'empty.jwks'), JSON.stringify({ keys: [] }));
    const v = await cli(dir, ['audit', 'verify', '--store', log, '--checkpoint-key', 'empty.jwks']);
    expect(v.code).toBe(2);
    expect(v.stderr).toMatch(/empty\.jwks: the JWK Set holds no keys/);
    const c = await cli(dir, ['audit', 'checkpoint', '--store', log, '--key', 'new.jwk', '--checkpoint-key', 'empty.jwks']);
    expect(c.code).toBe(2);
    const notList = join(dir, 'bad.jwks');
    writeFileSync(notList, JSON.stringify({ keys: {} }));
    expect((await cli(dir, ['audit', 'verify', '--store', log, '--checkpoint-key', 'bad.jwks'])).code).toBe(2);
  });
});
