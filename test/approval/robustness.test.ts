import fc from 'fast-check';
import { stringify } from 'yaml';
import { evaluate } from '../../src/approval/evaluate.js';
import { parsePolicy, validatePolicy } from '../../src/approval/policy-parse.js';
import { parseAllowedSigners } from '../../src/approval/allowed-signers.js';
import { verifySshSig } from '../../src/approval/sshsig.js';
import { baseFacts } from './helpers.js';

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
