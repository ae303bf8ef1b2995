import { defaultRetentionDays, lockProblems } from '../../../src/audit/stores/s3-lock.js';

const strict = { retentionDays: 2557, allowGovernance: false };

describe('lockProblems (is a bucket fit for an audit log)', () => {
  it('accepts COMPLIANCE for 2557 days or 7 years', () => {
    expect(lockProblems({ enabled: true, mode: 'COMPLIANCE', days: 2557 }, strict)).toEqual([]);
    expect(lockProblems({ enabled: true, mode: 'COMPLIANCE', years: 7 }, strict)).toEqual([]);
    expect(defaultRetentionDays({ enabled: true, years: 7 })).toBe(2557);
  });

  it('refuses a bucket without Object Lock or without a default retention', () => {
    expect(lockProblems({ enabled: false }, strict).join()).toMatch(/Object Lock is not enabled/);
    expect(lockProblems({ enabled: true }, strict).join()).toMatch(/no default retention/);
  });

  it('refuses GOVERNANCE unless allowed', () => {
    expect(lockProblems({ enabled: true, mode: 'GOVERNANCE', days: 3000 }, strict).join()).toMatch(
      /GOVERNANCE.*allow_governance=true/,
    );
    expect(lockProblems({ enabled: true, mode: 'GOVERNANCE', days: 3000 }, { ...strict, allowGovernance: true })).toEqual([]);
  });

  it('refuses a shorter retention and names both figures, one problem per fault', () => {
    const p = lockProblems({ enabled: true, mode: 'GOVERNANCE', days: 2556 }, strict);
    expect(p).toHaveLength(2);
    expect(p[1]).toMatch(/2556 days, shorter than the 2557 days required/);
    expect(lockProblems({ enabled: true, mode: 'COMPLIANCE', years: 1 }, { ...strict, retentionDays: 366 })).toEqual([]);
    expect(lockProblems({ enabled: true, mode: 'COMPLIANCE', years: 1 }, { ...strict, retentionDays: 367 })).toHaveLength(1);
  });
});
