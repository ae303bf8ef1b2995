import { matchPatternList, parseAllowedSigners, signersFor } from '../../src/approval/allowed-signers.js';
import { KeyRing } from './helpers.js';

describe('allowed-signers file', () => {
  const ring = new KeyRing();
  afterAll(() => ring.cleanup());

  it('reads principals, options and keys as ssh-keygen does, reporting bad lines without failing', () => {
    const a = ring.key('a').pub;
    const b = ring.key('b', 'ecdsa').pub;
    const text = [
      '# approvers',
      '',
      `alice ${a}`,
      `"bob,carol" namespaces="git,model-release-gate@v1",valid-after="20260101",valid-before="20270101Z" ${b}`,
      `*,!mallory no-touch-required ${a}`,
      `ops cert-authority ${a}`,
      'broken',
      `erin ssh-ed25519 AAAAnotbase64!!`,
    ].join('\n');
    const parsed = parseAllowedSigners(text);
    expect(parsed.errors).toEqual([{ line: 7, message: 'expected "principals [options] keytype base64"' }]);
    expect(parsed.signers.map((s) => [s.line, s.principals, s.unusable === undefined])).toEqual([
      [3, ['alice'], true],
      [4, ['bob', 'carol'], true],
      [5, ['*', '!mallory'], true],
      [6, ['ops'], false],
      [8, ['erin'], false],
    ]);
    expect(parsed.signers[1]).toMatchObject({ namespaces: ['git', 'model-release-gate@v1'], validAfter: '20260101', validBefore: '20270101Z' });
    expect(parsed.signers[2].noTouchRequired).toBe(true);

    const ns = 'model-release-gate@v1';
    expect(signersFor(parsed, 'Alice', ns).usable.map((s) => s.line)).toEqual([3, 5]);
    expect(signersFor(parsed, 'mallory', ns).usable).toEqual([]);
    // Validity periods need the review time; outside the period the entry is skipped with a reason.
    expect(signersFor(parsed, 'bob', ns).skipped).toEqual(['line 4: has a validity period but the review time is unknown']);
    expect(signersFor(parsed, 'bob', ns, '2026-06-01T10:00:00Z').usable.map((s) => s.line)).toEqual([4, 5]);
    expect(signersFor(parsed, 'bob', ns, '2027-06-01T10:00:00Z').skipped).toEqual(['line 4: not valid at 2027-06-01T10:00:00Z']);
    expect(signersFor(parsed, 'ops', ns).skipped[0]).toMatch(/cert-authority/);
  });

  it('pattern lists: wildcards, negation wins', () => {
    expect(matchPatternList(['ali*'], 'alice')).toBe(true);
    expect(matchPatternList(['?ob'], 'bob')).toBe(true);
    expect(matchPatternList(['*', '!bob'], 'bob')).toBe(false);
    expect(matchPatternList(['a.c'], 'abc')).toBe(false);
  });
});
