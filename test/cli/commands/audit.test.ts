import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../../audit/cli-harness.js';
import { tempDirs } from '../../audit/temp-dir.js';

const tmp = tempDirs();
const base = ['audit', 'append', '--event-type', 'model.release', '--actor', 'alice', '--action', 'released'];
const entries = (dir: string): string[] => (existsSync(join(dir, 'entries')) ? readdirSync(join(dir, 'entries')) : []);

describe('model-gate audit (CLI)', () => {
  it('append --json prints {seq, digest}; show lists what was appended', async () => {
    const dir = tmp();
    const details = join(dir, 'd.json');
    writeFileSync(details, '{"pull_request": 7}');
    const a = await cli(dir, [...base, '--store', 'file://log', '--details', '@d.json', '--subject', `sha256:${'ab'.repeat(32)}`, '--tag', 'SOX', '--tag', 'MiFID', '--component', 'action', '--log', 'org/repo', '--json']);
    expect(a.code).toBe(0);
    expect(a.json()).toEqual({ seq: 0, digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    const s = await cli(dir, ['audit', 'show', '--store', 'log', '--json']);
    expect(s.json()).toEqual([
      {
        seq: 0,
        digest: a.json().digest,
        record: expect.objectContaining({
          log: 'org/repo', component: 'action', details: { pull_request: 7 }, compliance_tags: ['SOX', 'MiFID'],
          subject: [`sha256:${'ab'.repeat(32)}`],
        }),
      },
    ]);
  });

  it.each([
    ['a bad store URL', ['--store', 'ftp://host/log'], /unsupported audit store URL scheme "ftp:"/],
    ['malformed details JSON', ['--store', 'log', '--details', '{"a":'], /--details: details are not valid JSON/],
    ['details that are not an object', ['--store', 'log', '--details', '[1]'], /details must be a JSON object/],
    ['a missing details file', ['--store', 'log', '--details', '@nope.json'], /nope.json: cannot read --details file/],
    ['oversized details', ['--store', 'log', '--details', JSON.stringify({ blob: 'x'.repeat(70_000) })], /records must be under 65536 bytes/],
    ['a malformed subject digest', ['--store', 'log', '--subject', 'md5:abc'], /subject\[0\]: not a digest/],
    ['no store', [], /no audit store given/],
  ])('append refuses %s with exit 2 and writes nothing', async (_what, args, message) => {
    const dir = tmp();
    const r = await cli(dir, [...base, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(entries(join(dir, 'log'))).toEqual([]);
  });

  it('verify of a store directory that does not exist is an input error (exit 2)', async () => {
    const dir = tmp();
    const r = await cli(dir, ['audit', 'verify', '--store', 'file://nope', '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/file:\/\/nope: the audit store directory does not exist/);
    expect(r.stdout).toBe('');
    expect(existsSync(join(dir, 'nope'))).toBe(false);
  });

  it('checkpoint without a key explains where the key comes from; the key may come from the environment', async () => {
    const dir = tmp();
    await cli(dir, [...base, '--store', 'log']);
    const none = await cli(dir, ['audit', 'checkpoint', '--store', 'log']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/MODEL_GATE_CHECKPOINT_KEY/);
    await cli(dir, ['audit', 'keygen', '--out', 'k.jwk', '--alg', 'ES256']);
    const { readFileSync } = await import('node:fs');
    const env = { MODEL_GATE_CHECKPOINT_KEY: readFileSync(join(dir, 'k.jwk'), 'utf8') };
    const c = await cli(dir, ['audit', 'checkpoint', '--store', 'log', '--json'], env);
    expect(c.code).toBe(0);
    expect(c.json()).toMatchObject({ size: 1, created: true, key: 'checkpoints/00000000000000000001.jws' });
    const v = await cli(dir, ['audit', 'verify', '--store', 'log', '--checkpoint-key', 'k.pub.jwk', '--min-size', '1']);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/intact, 1 record/);
    // Signing the same size again is idempotent.
    expect((await cli(dir, ['audit', 'checkpoint', '--store', 'log', '--json'], env)).json()).toMatchObject({ created: false });
  });

  it('after a key rotation, checkpoints by the old key count when both public keys are given as a JWK Set', async () => {
    const dir = tmp();
    const { readFileSync } = await import('node:fs');
    await cli(dir, [...base, '--store', 'log']);
    await cli(dir, ['audit', 'keygen', '--out', 'old.jwk']);
    await cli(dir, ['audit', 'keygen', '--out', 'new.jwk', '--alg', 'ES256']);
    expect((await cli(dir, ['audit', 'checkpoint', '--store', 'log', '--key', 'old.jwk'])).code).toBe(0);
    await cli(dir, [...base, '--store', 'log']);
    // The new key alone does not vouch for the old checkpoint: refused.
    const refused = await cli(dir, ['audit', 'checkpoint', '--store', 'log', '--key', 'new.jwk']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/bad-checkpoint/);
    const set = { keys: ['old.pub.jwk', 'new.pub.jwk'].map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8'))) };
    writeFileSync(join(dir, 'keys.jwks'), JSON.stringify(set));
    expect((await cli(dir, ['audit', 'checkpoint', '--store', 'log', '--key', 'new.jwk', '--checkpoint-key', 'keys.jwks'])).code).toBe(0);
    const v = await cli(dir, ['audit', 'verify', '--store', 'log', '--checkpoint-key', 'keys.jwks', '--json']);
    expect(v.json()).toMatchObject({ ok: true, size: 2, stores: [{ checkpoints: { valid: 2, bad: 0, unchecked: 0 } }] });
  });

  it('keygen never overwrites a key', async () => {
    const dir = tmp();
    expect((await cli(dir, ['audit', 'keygen', '--out', 'k.jwk'])).code).toBe(0);
    const again = await cli(dir, ['audit', 'keygen', '--out', 'k.jwk']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/never overwritten/);
  });

  it('verify refuses a public key given to checkpoint, and a private key is not needed to verify', async () => {
    const dir = tmp();
    await cli(dir, [...base, '--store', 'log']);
    await cli(dir, ['audit', 'keygen', '--out', 'k.jwk']);
    const c = await cli(dir, ['audit', 'checkpoint', '--store', 'log', '--key', 'k.pub.jwk']);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/needs the private JWK/);
  });
});
