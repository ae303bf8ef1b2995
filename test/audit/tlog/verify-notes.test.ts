/**
 * `audit verify` with signed-note checkpoints (docs/transparency-log.md,
 * "Proofs"): a trusted note kept outside the store must be extended by the
 * newest note in it (an RFC 6962 consistency proof from the tiles), and
 * `--witness ... --witness-quorum K` needs K cosignatures on the newest
 * note. Each test attacks a real file store through the CLI; the attacker
 * holds the writer's checkpoint key (a compromised CI job), so every
 * signature in the forged log is valid.
 */
import { copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../../src/audit/open-store.js';
import { entryKey } from '../../../src/audit/store.js';
import { loadSigningKey } from '../../../src/audit/checkpoint.js';
import { noteKeyFromSigningKey } from '../../../src/audit/tlog/append-tiles.js';
import { cosignatureLine } from '../../../src/audit/tlog/checkpoint-note.js';
import { SIG_TYPE, generateNoteKey, parseNoteKey } from '../../../src/audit/tlog/ed25519-keys.js';
import { noteKey, signTreeCheckpoint } from '../../../src/audit/tlog/note-io.js';
import { cli } from '../cli-harness.js';
import { tempDirs } from '../temp-dir.js';

const tmp = tempDirs();
const LOG = 'acme/fraud-model';

async function appendN(dir: string, from: number, to: number, tag = 'release') {
  for (let i = from; i < to; i++) {
    const r = await cli(dir, ['audit', 'append', '--store', 'log', '--log', LOG, '--event-type', 'MODEL_RELEASE', '--actor', 'alice', '--action', `${tag} ${i}`, '--checkpoint-key', 'key.jwk']);
    if (r.code !== 0) throw new Error(`append ${i}: ${r.stderr}`);
  }
}

/** A log of `n` records, a checkpoint (JWS and note) after each append. */
async function logOf(n: number): Promise<string> {
  const dir = tmp();
  expect((await cli(dir, ['audit', 'keygen', '--out', 'key.jwk'])).code).toBe(0);
  await appendN(dir, 0, n);
  return dir;
}

/** Deletes every entry, tile and checkpoint above size `keep` (a file store's writer can). */
function rollBack(dir: string, keep: number, size: number): void {
  const log = join(dir, 'log');
  for (let s = keep; s < size; s++) rmSync(join(log, entryKey(s)));
  for (const name of readdirSync(join(log, 'checkpoints'))) {
    if (Number(name.slice(0, 20)) > keep) rmSync(join(log, 'checkpoints', name));
  }
  for (const name of readdirSync(join(log, 'tile', '0', '000.p'))) {
    if (Number(name) > keep) rmSync(join(log, 'tile', '0', '000.p', name));
  }
}

const verify = (dir: string, extra: string[]) => cli(dir, ['audit', 'verify', '--store', 'log', '--checkpoint-key', 'key.pub.jwk', '--json', ...extra]);
const kinds = (r: { json: () => { findings: { kind: string; seq: number }[] } }) => r.json().findings.map((f) => `${f.kind}@${f.seq}`);

describe('audit verify from a trusted signed note', () => {
  it('a log rolled back and refilled with the writer\'s key passes --from-checkpoint --min-size, and fails against the trusted note it does not extend', async () => {
    const dir = await logOf(12);
    copyFileSync(join(dir, 'log', noteKey(12)), join(dir, 'trusted.note'));
    rollBack(dir, 5, 12);
    await appendN(dir, 5, 20, 'forged');
    // Everything in the store is signed by the key: without outside evidence it reads intact.
    const blind = await verify(dir, ['--from-checkpoint', '--min-size', '12']);
    expect(blind.json()).toMatchObject({ ok: true, status: 'intact', size: 20 });
    expect(blind.code).toBe(0);
    for (const extra of [['--from-checkpoint'], [], ['--from-checkpoint', '--min-size', '12']]) {
      const r = await verify(dir, ['--trusted-checkpoint', 'trusted.note', ...extra]);
      expect(r.code).toBe(1);
      expect(r.json()).toMatchObject({ ok: false, status: 'findings' });
      expect(kinds(r)).toContain('modified@11');
      expect(r.json().findings.find((f: { seq: number }) => f.seq === 11).message).toMatch(/does not extend the trusted checkpoint trusted\.note \(size 12\)/);
    }
  });

  it('an honest log grown since the trusted note verifies from it: consistency proved, only the records after it read, anchored by the newest note', async () => {
    const dir = await logOf(8);
    copyFileSync(join(dir, 'log', noteKey(8)), join(dir, 'trusted.note'));
    await appendN(dir, 8, 14);
    const r = await verify(dir, ['--trusted-checkpoint', 'trusted.note', '--from-checkpoint']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ ok: true, status: 'intact', size: 14, anchored_size: 14, findings: [] });
    // Read from the trusted note's last record, not from 0.
    expect(r.json().from).toBe(7);
    expect(r.json().tree).toMatchObject([{ note: { size: 14, cosigners: 0 }, trusted: [{ size: 8, consistent: true }] }]);
    const text = await cli(dir, ['audit', 'verify', '--store', 'log', '--checkpoint-key', 'key.pub.jwk', '--trusted-checkpoint', 'trusted.note']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/signed-note checkpoint at size 14 .*extends the trusted checkpoint trusted\.note \(size 8\)/);
  });

  it('a log cut below the trusted note (its newer notes deleted, no key needed) is truncated', async () => {
    const dir = await logOf(10);
    copyFileSync(join(dir, 'log', noteKey(10)), join(dir, 'trusted.note'));
    rollBack(dir, 6, 10);
    const r = await verify(dir, ['--trusted-checkpoint', 'trusted.note', '--from-checkpoint']);
    expect(r.code).toBe(1);
    expect(kinds(r)).toContain('truncated@9');
  });

  it('a trusted note that does not verify, or is another log\'s, is bad input (exit 2), naming the file', async () => {
    const dir = await logOf(3);
    const note = readFileSync(join(dir, 'log', noteKey(3)), 'utf8');
    writeFileSync(join(dir, 'edited.note'), note.replace(/\n3\n/, '\n4\n'));
    const bad = await verify(dir, ['--trusted-checkpoint', 'edited.note']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/edited\.note/);
    const other = await verify(dir, ['--trusted-checkpoint', join('log', noteKey(3)), '--log', 'acme/other']);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/acme\/other/);
  });
});

describe('audit verify --witness --witness-quorum', () => {
  it('the newest note without the quorum of cosignatures is bad-checkpoint (a refilled log no witness would cosign); with it, intact', async () => {
    const dir = await logOf(4);
    const w1 = generateNoteKey('witness.example/w1', SIG_TYPE.cosignatureEd25519);
    const w2 = generateNoteKey('witness.example/w2', SIG_TYPE.cosignatureEd25519);
    writeFileSync(join(dir, 'w1.vkey'), `${w1.vkey}\n`);
    const none = await verify(dir, ['--witness', 'w1.vkey', '--witness', w2.vkey, '--witness-quorum', '1']);
    expect(none.code).toBe(1);
    expect(kinds(none)).toEqual(['bad-checkpoint@3']);
    expect(none.json().findings[0].message).toMatch(/0 valid witness cosignature\(s\); the quorum is 1/);

    // The writer's next checkpoint carries w1's cosignature.
    await appendN(dir, 4, 5);
    rmSync(join(dir, 'log', noteKey(5)));
    const store = await openStore(join(dir, 'log'), { env: {}, cwd: dir });
    const key = noteKeyFromSigningKey(await loadSigningKey(readFileSync(join(dir, 'key.jwk'), 'utf8'), 'key.jwk'), LOG)!;
    const witness = (parseNoteKey(w1.privateKey) as { ok: true; key: Parameters<typeof cosignatureLine>[1] }).key;
    await signTreeCheckpoint(store, key, 5, { cosign: async (note) => [cosignatureLine(note.subarray(0, note.indexOf('\n\n') + 1), witness, 1_767_225_600)] });
    const one = await verify(dir, ['--witness', 'w1.vkey', '--witness', w2.vkey, '--witness-quorum', '1']);
    expect(one.json()).toMatchObject({ ok: true, status: 'intact', tree: [{ note: { size: 5, cosigners: 1 } }] });
    expect(one.code).toBe(0);
    // Both required (the default quorum: every --witness given): w2 never cosigned.
    const both = await verify(dir, ['--witness', 'w1.vkey', '--witness', w2.vkey]);
    expect(both.code).toBe(1);
    expect(kinds(both)).toEqual(['bad-checkpoint@4']);
  });

  it('usage: --witness-quorum above the witnesses given, or --witness without --checkpoint-key, is exit 2', async () => {
    const dir = await logOf(1);
    const w1 = generateNoteKey('witness.example/w1', SIG_TYPE.cosignatureEd25519);
    expect((await verify(dir, ['--witness', w1.vkey, '--witness-quorum', '2'])).code).toBe(2);
    const r = await cli(dir, ['audit', 'verify', '--store', 'log', '--witness', w1.vkey]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--checkpoint-key/);
  });
});
