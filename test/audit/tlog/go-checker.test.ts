/**
 * Our tiles, signed notes, inclusion proofs, consistency proofs and
 * cosignatures, checked by Go's golang.org/x/mod/sumdb/tlog and sumdb/note
 * (test/tlog-check, built from Debian's packages by scripts/build-tlog-check.sh).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCheckpointKeyPair } from '../../../src/audit/checkpoint.js';
import { SIG_TYPE, formatVkey, generateNoteKey, parseNoteKey } from '../../../src/audit/tlog/ed25519-keys.js';
import { consistencyProof, inclusionProof } from '../../../src/audit/tlog/tree.js';
import { perfectFromTiles } from '../../../src/audit/tlog/tiles.js';
import { formatProof } from '../../../src/audit/tlog/proof-file.js';
import { cosignatureLine } from '../../../src/audit/tlog/checkpoint-note.js';
import { parseNote } from '../../../src/audit/tlog/note.js';
import { hashToBase64 } from '../../../src/audit/tlog/hash.js';
import { tempDirs } from '../temp-dir.js';
import { buildLog } from './build-log.js';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..');
let checker = '';
const tempDir = tempDirs();

beforeAll(() => {
  const built = spawnSync('bash', [join(root, 'scripts', 'build-tlog-check.sh')], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`scripts/build-tlog-check.sh failed:\n${built.stderr}`);
  checker = built.stdout.trim();
}, 600_000);

const check = (...args: string[]) => spawnSync(checker, args, { encoding: 'utf8' });

const LOG = 'acme/fraud-model';

async function logKey() {
  const { privateJwk } = await generateCheckpointKeyPair('EdDSA');
  const p = parseNoteKey(JSON.stringify(privateJwk), LOG);
  if (!p.ok) throw new Error(p.reason);
  return { key: p.key, vkey: formatVkey(LOG, SIG_TYPE.ed25519, p.key.publicKey) };
}

describe('the Go checker (golang.org/x/mod/sumdb) accepts our artefacts', () => {
  it('notes signed with the checkpoint JWK, roots from our tiles, entries and bundles as leaves, consistency across 1, 255, 256, 257, 512, 600', async () => {
    const dir = tempDir();
    const { key, vkey } = await logKey();
    buildLog(dir, LOG, 600, key, [1, 255, 256, 257, 512, 600]);
    const r = check('store', dir, vkey);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/ok consistent 257 -> 512/);
    expect(r.stdout).toMatch(/ok 600 entries hash to their leaves/);
    expect(r.stdout).toMatch(/ok 512 bundled records hash to their leaves/);
  });

  it('our tlog-proof files for indexes across the tile boundary, cosigned by a witness, pass CheckRecord and the quorum', async () => {
    const dir = tempDir();
    const { key, vkey } = await logKey();
    const log = buildLog(dir, LOG, 600, key, [600]);
    const w = generateNoteKey('witness.example/w1', SIG_TYPE.cosignatureEd25519);
    const wKey = parseNoteKey(w.privateKey);
    if (!wKey.ok) throw new Error(wKey.reason);
    const note = log.notes.get(600)!;
    const parsed = parseNote(note);
    if (!parsed.ok) throw new Error(parsed.reason);
    const cosigned = Buffer.concat([note, Buffer.from(`${cosignatureLine(parsed.text, wKey.key, 1_767_225_600)}\n`)]);
    const perfect = perfectFromTiles(600, log.tiles.lookup);
    for (const i of [0, 254, 255, 256, 257, 511, 512, 599]) {
      const proofFile = join(dir, `${i}.tlog-proof`);
      writeFileSync(proofFile, formatProof({ index: i, path: inclusionProof(i, 600, perfect), checkpoint: cosigned }));
      const record = join(dir, `${i}.json`);
      writeFileSync(record, log.records[i]);
      const ok = check('proof', proofFile, record, vkey, w.vkey, '-quorum', '1');
      expect(ok.stderr).toBe('');
      expect(ok.status).toBe(0);
      // Another record's bytes do not pass with this proof.
      writeFileSync(record, log.records[(i + 1) % 600]);
      expect(check('proof', proofFile, record, vkey).status).toBe(1);
    }
    const quorum2 = check('proof', join(dir, '0.tlog-proof'), join(dir, '0.json'), vkey, w.vkey, '-quorum', '2');
    expect(quorum2.status).toBe(1);
  });

  it('our consistency proofs in a witness add-checkpoint body pass CheckTree; one from a refilled log fails', async () => {
    const dir = tempDir();
    const { key, vkey } = await logKey();
    const log = buildLog(dir, LOG, 600, key, [257, 600]);
    const proof = consistencyProof(257, 600, perfectFromTiles(600, log.tiles.lookup));
    const body = (p: Buffer[], cp: Buffer) => Buffer.concat([Buffer.from(`old 257\n${p.map((h) => `${hashToBase64(h)}\n`).join('')}\n`), cp]);
    writeFileSync(join(dir, 'body'), body(proof, log.notes.get(600)!));
    writeFileSync(join(dir, 'old.note'), log.notes.get(257)!);
    const ok = check('consistency', join(dir, 'body'), join(dir, 'old.note'), vkey);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    // The same key's log, rolled back to 100 records and refilled to 600: its proof from 257 does not hold.
    const forged = buildLog(tempDir(), LOG, 600, key, [600], 100);
    const forgedProof = consistencyProof(257, 600, perfectFromTiles(600, forged.tiles.lookup));
    writeFileSync(join(dir, 'body-forged'), body(forgedProof, forged.notes.get(600)!));
    const bad = check('consistency', join(dir, 'body-forged'), join(dir, 'old.note'), vkey);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/consistency 257 -> 600/);
  });

  it('fails a tile altered on disk, and a note signed by another key', async () => {
    const dir = tempDir();
    const { key, vkey } = await logKey();
    buildLog(dir, LOG, 300, key, [300]);
    const other = await logKey();
    expect(check('store', dir, other.vkey).status).toBe(1);
    const tile = join(dir, 'tile', '0', '000');
    const bytes = readFileSync(tile);
    bytes[40] ^= 1;
    chmodSync(tile, 0o644);
    writeFileSync(tile, bytes);
    const r = check('store', dir, vkey);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/FAIL/);
  });
});
