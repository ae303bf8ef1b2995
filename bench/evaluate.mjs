#!/usr/bin/env node
// Benchmark of the release gate's decision: evaluate() on a pull request with
// 3,000 changed files, 100 signed reviews and 10 roles, signatures required and
// verified. References measured in the same process: crypto.verify alone on
// the same 100 signatures (the floor for verifying them), and picomatch alone
// on the file list with the same globs.
// Run: npm run build && node bench/evaluate.mjs
import { createHash, generateKeyPairSync, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import { cpus } from 'node:os';
import picomatch from 'picomatch';
import { evaluate } from '../lib/src/approval/evaluate.js';
import { parsePolicy } from '../lib/src/approval/policy-parse.js';
import { buildStatement, statementBytes } from '../lib/src/approval/statement.js';
import { parsePublicKeyLine } from '../lib/src/approval/ssh-key.js';
import { parseSshSig, signedData } from '../lib/src/approval/sshsig.js';
import { SshReader, sshString } from '../lib/src/approval/ssh-wire.js';

const FILES = 3000;
const REVIEWS = 100;
const ROLES = 10;
const ITERATIONS = 15;

const globs = ['models/**', '**/*.pt', '**/metadata.json'];
const roles = Array.from({ length: ROLES }, (_, i) => `  - {name: role${i}, teams: [acme/team${i}], count: 1}`).join('\n');
const policy = parsePolicy(`version: 1\nprotected_paths: ${JSON.stringify(globs)}\nroles:\n${roles}\nsignatures: {required: true, keys: [github]}\n`);
const unsigned = parsePolicy(`version: 1\nprotected_paths: ${JSON.stringify(globs)}\nroles:\n${roles}\nsignatures: {required: false}\n`);

const logins = Array.from({ length: REVIEWS }, (_, i) => `reviewer${String(i).padStart(3, '0')}`);
const teams = {};
// Each reviewer is in one to three teams, so the matching has real choices to make.
logins.forEach((l, i) => {
  for (const t of new Set([i % ROLES, (i * 7 + 3) % ROLES, (i * 13 + 5) % ROLES].slice(0, 1 + (i % 3)))) {
    (teams[`acme/team${t}`] ??= []).push(l);
  }
});
const changed = Array.from({ length: FILES }, (_, i) =>
  i % 2 ? `models/m${i % 50}/shard-${i}.safetensors` : `src/pkg${i % 30}/module_${i}.py`,
);
const facts = {
  repository: 'acme/models', repository_id: 4242, pull_request: 12, base_ref: 'main',
  base_sha: '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c', head_sha: '4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e',
  author: 'dave', commit_authors: ['dave'], changed_files: changed,
  artifacts: Array.from({ length: 50 }, (_, i) => ({ path: `models/m${i}/model.safetensors`, digest: `sha256:${createHash('sha256').update(String(i)).digest('hex')}` })),
  lineage_digest: `sha256:${'b'.repeat(64)}`, teams, reviews: [], signing_keys: {},
};
// What the App's gatherer hashes from the commit: every changed protected file and every
// artifact, so the evaluation includes the head-commit checks the App's verdicts rest on.
const isProtected = picomatch(globs, { dot: true });
facts.head_files = [
  ...changed.filter(isProtected).map((path) => ({ path, kind: 'blob', digest: `sha256:${createHash('sha256').update(path).digest('hex')}`, size: 1 })),
  ...facts.artifacts.map((a) => ({ path: a.path, kind: 'lfs', digest: a.digest, size: 1 })),
];

// Keys and signatures: 80 Ed25519 and 20 ECDSA P-256 (what GitHub users register most),
// made with Node's crypto and encoded as ssh-keygen does (the tests check the verifier
// against real ssh-keygen output; here spawning 200 ssh-keygen processes would dominate).
const t0 = performance.now();
logins.forEach((login, i) => {
  const ecdsa = i % 5 === 4;
  const { publicKey, privateKey } = ecdsa ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  const blob = ecdsa
    ? Buffer.concat([sshString('ecdsa-sha2-nistp256'), sshString('nistp256'), sshString(Buffer.concat([Buffer.of(4), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]))])
    : Buffer.concat([sshString('ssh-ed25519'), sshString(Buffer.from(jwk.x, 'base64url'))]);
  const bytes = statementBytes(buildStatement(facts, { login, id: 1000 + i }));
  const data = signedData('model-release-gate@v1', 'sha512', bytes);
  let raw;
  if (ecdsa) {
    const p1363 = cryptoSign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    const mpint = (b) => { let j = 0; while (j < b.length - 1 && b[j] === 0) j++; b = b.subarray(j); return b[0] & 0x80 ? Buffer.concat([Buffer.of(0), b]) : b; };
    raw = Buffer.concat([sshString(mpint(p1363.subarray(0, 32))), sshString(mpint(p1363.subarray(32)))]);
  } else raw = cryptoSign(null, data, privateKey);
  const sigBlob = Buffer.concat([
    Buffer.from('SSHSIG'), Buffer.from([0, 0, 0, 1]), sshString(blob), sshString('model-release-gate@v1'), sshString(''), sshString('sha512'),
    sshString(Buffer.concat([sshString(ecdsa ? 'ecdsa-sha2-nistp256' : 'ssh-ed25519'), sshString(raw)])),
  ]);
  const armored = `-----BEGIN SSH SIGNATURE-----\n${sigBlob.toString('base64').match(/.{1,70}/g).join('\n')}\n-----END SSH SIGNATURE-----\n`;
  facts.signing_keys[login] = [`${ecdsa ? 'ecdsa-sha2-nistp256' : 'ssh-ed25519'} ${blob.toString('base64')} ${login}`];
  facts.reviews.push({ login, user_id: 1000 + i, state: 'APPROVED', commit_id: facts.head_sha, body: `${bytes}\n${armored}` });
});
const setupMs = performance.now() - t0;

let verdict = await evaluate(policy, facts);
if (!verdict.passed || verdict.approvals.filter((a) => a.counted).length !== REVIEWS) {
  throw new Error(`benchmark setup is wrong: ${JSON.stringify(verdict.reasons)}`);
}

// Reference 1: crypto.verify alone, on the exact signed data, with keys already imported.
const prepared = facts.reviews.map((r) => {
  const sig = parseSshSig(r.body.slice(r.body.indexOf('-----BEGIN')));
  const key = parsePublicKeyLine(facts.signing_keys[r.login][0]);
  const inner = new SshReader(sig.signature);
  const alg = inner.text();
  let raw = inner.string();
  if (alg.startsWith('ecdsa')) {
    const rr = new SshReader(raw);
    const pad = (b) => Buffer.concat([Buffer.alloc(32 - b.length), b]);
    raw = Buffer.concat([pad(rr.mpint()), pad(rr.mpint())]);
  }
  const data = signedData(sig.namespace, sig.hashAlgorithm, Buffer.from(r.body.slice(0, r.body.indexOf('\n'))));
  return alg.startsWith('ecdsa')
    ? () => cryptoVerify('sha256', data, { key: key.key, dsaEncoding: 'ieee-p1363' }, raw)
    : () => cryptoVerify(null, data, key.key, raw);
});
// Reference 2: picomatch alone on the file list.
const isMatch = picomatch(globs, { dot: true });

// The four are run in turn in every round, so a busy machine slows them alike
// and the ratios stay meaningful; each figure is the median over the rounds.
const subjects = {
  signed: async () => { verdict = await evaluate(policy, facts); },
  unsigned: () => evaluate(unsigned, facts),
  verify: async () => { for (const v of prepared) if (!v()) throw new Error('reference verify failed'); },
  glob: async () => changed.filter(isMatch),
};
const samples = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));
for (let round = -3; round < ITERATIONS; round++) { // three warm-up rounds (JIT)
  for (const [name, fn] of Object.entries(subjects)) {
    const s = performance.now();
    await fn();
    if (round >= 0) samples[name].push(performance.now() - s);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const [evalMs, unsignedMs, verifyMs, globMs] = ['signed', 'unsigned', 'verify', 'glob'].map((k) => median(samples[k]));

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const f = (ms) => `${ms.toFixed(2)} ms`;
console.log(`machine: ${cpu}, ${cpus().length} cores, Node ${process.version}`);
console.log(`setup (${REVIEWS} keys + signatures): ${f(setupMs)}`);
console.log(`evaluate, ${FILES} files, ${REVIEWS} signed reviews, ${ROLES} roles: ${f(evalMs)} per evaluation (median of ${ITERATIONS} rounds)`);
console.log(`  reference: crypto.verify alone × ${REVIEWS} signatures:   ${f(verifyMs)}  → evaluate / verify = ${(evalMs / verifyMs).toFixed(2)}`);
console.log(`  reference: picomatch alone on ${FILES} paths:          ${f(globMs)}`);
console.log(`  evaluate with signatures not required:            ${f(unsignedMs)}  → signature work = ${(((evalMs - unsignedMs) / evalMs) * 100).toFixed(0)}% of the signed evaluation`);
