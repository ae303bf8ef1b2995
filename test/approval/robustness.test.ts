import fc from 'fast-check';
import { stringify } from 'yaml';
import { evaluate } from '../../src/approval/evaluate.js';
import { parsePolicy, validatePolicy } from '../../src/approval/policy-parse.js';
import { parseAllowedSigners } from '../../src/approval/allowed-signers.js';
import { verifySshSig } from '../../src/approval/sshsig.js';
import { baseFacts, KeyRing, signedReview } from './helpers.js';

describe('robustness: hostile input gives an answer, never a crash', () => {
  it('validatePolicy returns a policy or problems with positions for any text and any YAML value', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.jsonValue().map((v) => stringify(v))), (text) => {
        const { policy, problems } = validatePolicy(text);
        expect(policy !== undefined || problems.length > 0).toBe(true);
        for (const p of problems) expect(p.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });

  it('verifySshSig answers {valid: false, reason} for any bytes, armored or not', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (bytes, armor) => {
        const buf = Buffer.concat([Buffer.from('SSHSIG'), Buffer.from(bytes)]);
        const input = armor ? `-----BEGIN SSH SIGNATURE-----\n${buf.toString('base64')}\n-----END SSH SIGNATURE-----` : buf;
        const res = verifySshSig(input, Buffer.from('m'), { namespace: 'model-release-gate@v1' });
        expect(res.valid).toBe(false);
        if (!res.valid) expect(res.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it('parseAllowedSigners never throws', () => {
    fc.assert(fc.property(fc.string(), (text) => void parseAllowedSigners(text)), { numRuns: 300 });
  });

  it('evaluate fails closed on facts of the wrong shape instead of throwing', async () => {
    const policy = parsePolicy('version: 1\nprotected_paths: ["models/**"]\nroles: [{name: r, users: [alice]}]\n');
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom('reviews', 'teams', 'changed_files', 'head_sha', 'signing_keys', 'artifacts'), fc.jsonValue()), async (over) => {
        const v = await evaluate(policy, { ...baseFacts(), ...(over as object) });
        expect(typeof v.passed).toBe('boolean');
      }),
      { numRuns: 200 },
    );
  });
});

describe('facts keyed by logins and paths that are Object.prototype names', () => {
  it('a reviewer called "constructor" with no keys is simply unsigned, and a model called "toString" has no LFS oid', async () => {
    const policy = parsePolicy(`version: 1
protected_paths: ["**"]
roles: [{name: r, users: [constructor]}]
checks: {lfs_digest: true, models: ["toString"], metadata: true}
`);
    const ring = new KeyRing();
    const f = baseFacts({ changed_files: ['toString'] });
    f.reviews = [signedReview(f, 'constructor', ring.key('c'))];
    ring.cleanup();
    const v = await evaluate(policy, f);
    expect(v.passed).toBe(false);
    expect(v.approvals[0].reason).toMatch(/which is not one of constructor's keys \(github: 0 usable signing keys\)/);
    expect(v.rules[0].checks[0].reason).toBe('toString changed without metadata.json (write it with the release workflow\'s lineage step)');
  });
});
