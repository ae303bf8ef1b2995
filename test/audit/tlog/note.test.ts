import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import {
  SIG_TYPE,
  formatVkey,
  generateNoteKey,
  keyId,
  parseNoteKey,
  parseVkey,
  rawPublicKey,
} from '../../../src/audit/tlog/ed25519-keys.js';
import { openNote, parseNote, assembleNote } from '../../../src/audit/tlog/note.js';
import {
  cosignatureLine,
  formatCheckpoint,
  logVerifier,
  meetsQuorum,
  openCheckpoint,
  parseCheckpoint,
  signCheckpoint,
} from '../../../src/audit/tlog/checkpoint-note.js';
import { leafHash } from '../../../src/audit/tlog/hash.js';

const vk = (text: string) => {
  const p = parseVkey(text);
  if (!p.ok) throw new Error(p.reason);
  return p.vkey;
};
const nk = (text: string, name?: string) => {
  const p = parseNoteKey(text, name);
  if (!p.ok) throw new Error(p.reason);
  return p.key;
};

describe('signed notes (C2SP signed-note)', () => {
  // The example of the spec, verbatim.
  const SPEC_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
  const SPEC_NOTE = 'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';

  it('verifies the spec\'s example note with the spec\'s verifier key', () => {
    const key = vk(SPEC_VKEY);
    expect(key.keyId).toBe(0x530d903a);
    const opened = openNote(Buffer.from(SPEC_NOTE), [logVerifier(key)]);
    expect(opened.ok && opened.text.toString()).toBe('This is an example message.\n');
  });

  it('rejects the example when one byte of its text changes, and ignores unknown keys', () => {
    const tampered = SPEC_NOTE.replace('example message', 'exemple message');
    expect(openNote(Buffer.from(tampered), [logVerifier(vk(SPEC_VKEY))])).toMatchObject({ ok: false, kind: 'bad-signature' });
    const other = generateNoteKey('example.com/foo');
    expect(openNote(Buffer.from(SPEC_NOTE), [logVerifier(vk(other.vkey))])).toMatchObject({ ok: false, kind: 'unverified' });
  });

  it('computes key IDs as SHA-256(name ‖ 0x0A ‖ type ‖ key)[:4], and refuses a vkey whose ID does not match', () => {
    const key = vk(SPEC_VKEY);
    expect(keyId('example.com/foo', SIG_TYPE.ed25519, key.publicKey)).toBe(0x530d903a);
    expect(parseVkey(SPEC_VKEY.replace('530d903a', '530d903b'))).toMatchObject({ ok: false, reason: expect.stringMatching(/does not match/) });
    expect(parseVkey('a b+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k')).toMatchObject({ ok: false });
    expect(parseVkey('example.com/foo+530d903a+AgkyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k')).toMatchObject({ ok: false, reason: expect.stringMatching(/0x02/) });
  });

  it('refuses malformed notes as Go\'s note.Open does: control characters, invalid UTF-8, no blank line, bad signature lines', () => {
    expect(parseNote(Buffer.from('a\tb\n\n— k AAAAAAA=\n'))).toMatchObject({ ok: false, reason: expect.stringMatching(/control/) });
    expect(parseNote(Buffer.from([0x61, 0xff, 0x0a, 0x0a]))).toMatchObject({ ok: false, reason: expect.stringMatching(/UTF-8/) });
    expect(parseNote(Buffer.from('text\n— k AAAAAAA=\n'))).toMatchObject({ ok: false });
    expect(parseNote(Buffer.from('text\n\n— k AAAA\n'))).toMatchObject({ ok: false });
    expect(parseNote(Buffer.from('text\n\n- k AAAAAAA=\n'))).toMatchObject({ ok: false });
    expect(parseNote(Buffer.from('text\n\n— k AAAAAAA=')).ok).toBe(false);
    const many = Array.from({ length: 101 }, (_, i) => `— k${i} AAAAAAA=`).join('\n');
    expect(parseNote(Buffer.from(`text\n\n${many}\n`))).toMatchObject({ ok: false, reason: expect.stringMatching(/more than 100/) });
  });

  it('signs with a Go-format private key and with the Ed25519 checkpoint JWK alike (same key, same signature line)', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const jwk = privateKey.export({ format: 'jwk' });
    const fromJwk = nk(JSON.stringify(jwk), 'acme/fraud-model');
    const seed = Buffer.from(jwk.d as string, 'base64url');
    const id = keyId('acme/fraud-model', 1, rawPublicKey(createPublicKey(privateKey)));
    const goKey = `PRIVATE+KEY+acme/fraud-model+${id.toString(16).padStart(8, '0')}+${Buffer.concat([Buffer.from([1]), seed]).toString('base64')}`;
    const fromGo = nk(goKey);
    const head = { origin: 'acme/fraud-model', size: 3, root: leafHash(Buffer.from('r')) };
    expect(signCheckpoint(head, fromJwk).equals(signCheckpoint(head, fromGo))).toBe(true); // Ed25519 is deterministic
    expect(parseNoteKey(JSON.stringify({ ...jwk, d: undefined }), 'x')).toMatchObject({ ok: false, reason: expect.stringMatching(/public key/) });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    expect(parseNoteKey(JSON.stringify(ec), 'x')).toMatchObject({ ok: false, reason: expect.stringMatching(/Ed25519/) });
  });
});

describe('checkpoints (C2SP tlog-checkpoint) and cosignatures (tlog-cosignature)', () => {
  const log = generateNoteKey('acme/fraud-model');
  const logKey = nk(log.privateKey);
  const head = { origin: 'acme/fraud-model', size: 20852163, root: Buffer.from('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=', 'base64') };

  it('writes origin, size and base64 root, one line each, and parses it strictly', () => {
    expect(formatCheckpoint(head)).toBe('acme/fraud-model\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n');
    expect(parseCheckpoint(formatCheckpoint(head))).toMatchObject({ ok: true, head: { origin: 'acme/fraud-model', size: 20852163 } });
    for (const bad of ['a\n01\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n', 'a\n1\nCsUY\n', 'a\n1\n', '\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n', 'a\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n']) {
      expect(parseCheckpoint(bad).ok).toBe(false);
    }
  });

  it('a checkpoint of another log, or one only a witness signed, is refused', () => {
    const note = signCheckpoint(head, logKey);
    expect(openCheckpoint(note, [vk(log.vkey)], { origin: 'acme/other' })).toMatchObject({ ok: false, reason: expect.stringMatching(/acme\/other/) });
    const w = generateNoteKey('witness.example/w1', SIG_TYPE.cosignatureEd25519);
    const text = formatCheckpoint(head);
    const onlyWitness = assembleNote(text, [cosignatureLine(text, nk(w.privateKey), 1679315147)]);
    expect(openCheckpoint(onlyWitness, [vk(log.vkey)], { witnesses: [vk(w.vkey)] })).toMatchObject({ ok: false });
  });

  it('cosignatures: key ID with type 0x04, 8-byte time then signature over "cosignature/v1\\ntime T\\n" + text; quorum counts distinct witnesses', () => {
    const w1 = generateNoteKey('witness.example/w1', SIG_TYPE.cosignatureEd25519);
    const w2 = generateNoteKey('witness.example/w2', SIG_TYPE.cosignatureEd25519);
    const text = formatCheckpoint(head);
    const signed = signCheckpoint(head, logKey);
    const line1 = cosignatureLine(text, nk(w1.privateKey), 1679315147);
    const raw = Buffer.from(line1.split(' ')[2], 'base64');
    expect(raw.length).toBe(4 + 8 + 64);
    expect(raw.readUInt32BE(0)).toBe(vk(w1.vkey).keyId);
    expect(raw.readBigUInt64BE(4)).toBe(1679315147n);
    const cosigned = Buffer.concat([signed, Buffer.from(`${line1}\n${cosignatureLine(text, nk(w2.privateKey), 1679315150)}\n`)]);
    const witnesses = [vk(w1.vkey), vk(w2.vkey)];
    const opened = openCheckpoint(cosigned, [vk(log.vkey)], { witnesses });
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    expect(opened.checkpoint.cosignatures.map((c) => c.time)).toEqual([1679315147, 1679315150]);
    expect(meetsQuorum(opened.checkpoint, witnesses, 2)).toEqual({ ok: true, count: 2 });
    expect(meetsQuorum(opened.checkpoint, witnesses, 3).ok).toBe(false);
    // A cosignature whose time was altered no longer verifies: the note is rejected.
    raw.writeBigUInt64BE(1679315148n, 4);
    const forged = Buffer.concat([signed, Buffer.from(`— witness.example/w1 ${raw.toString('base64')}\n`)]);
    expect(openCheckpoint(forged, [vk(log.vkey)], { witnesses })).toMatchObject({ ok: false });
    // One witness listed twice under two names counts once.
    const same = formatVkey('witness.example/alias', SIG_TYPE.cosignatureEd25519, vk(w1.vkey).publicKey);
    const aliasLine = cosignatureLine(text, { ...nk(w1.privateKey), name: 'witness.example/alias' }, 1679315151);
    const twice = Buffer.concat([signed, Buffer.from(`${line1}\n${aliasLine}\n`)]);
    const o2 = openCheckpoint(twice, [vk(log.vkey)], { witnesses: [vk(w1.vkey), vk(same)] });
    expect(o2.ok && meetsQuorum(o2.checkpoint, [vk(w1.vkey), vk(same)], 2)).toEqual({ ok: false, count: 1 });
  });
});
