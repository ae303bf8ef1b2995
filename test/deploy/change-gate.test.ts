import fc from 'fast-check';
import { changeGateDecision, parseTime, type ChangeFacts } from '../../src/deploy/change-gate.js';

const NOW = new Date('2026-11-27T12:00:00Z');

function change(over: Partial<ChangeFacts>): ChangeFacts {
  return { number: 'CHG0030001', state: '-1', approval: 'approved', close_code: null, start_date: null, end_date: null, ...over };
}

describe('changeGateDecision (pure)', () => {
  // state value, approval, close code → expected decision
  const table: Array<[string, string, string | null, 'approved' | 'pending' | 'rejected']> = [
    ['-5', 'not requested', null, 'pending'], // New
    ['-4', 'requested', null, 'pending'], // Assess, awaiting approval
    ['-3', 'requested', null, 'pending'], // Authorize, awaiting CAB
    ['-3', 'approved', null, 'pending'], // approved but not yet scheduled
    ['-2', 'approved', null, 'approved'], // Scheduled
    ['-1', 'approved', null, 'approved'], // Implement
    ['-2', 'requested', null, 'pending'],
    ['-1', 'not requested', null, 'pending'],
    ['-4', 'rejected', null, 'rejected'],
    ['-1', 'rejected', null, 'rejected'],
    ['4', 'approved', null, 'rejected'], // Canceled
    ['4', 'requested', null, 'rejected'],
    ['3', 'approved', 'unsuccessful', 'rejected'], // Closed unsuccessfully
    ['3', 'approved', 'successful', 'rejected'], // Closed: already carried out
    ['3', 'approved', 'successful_issues', 'rejected'],
    ['0', 'approved', null, 'rejected'], // Review: already carried out
  ];
  it.each(table)('state %s, approval %s, close code %s → %s', (state, approval, close_code, expected) => {
    const d = changeGateDecision(change({ state, approval, close_code }), NOW);
    expect(d.state).toBe(expected);
    expect(d.reason).toContain('CHG0030001');
  });

  it('names what it waits for and what it found', () => {
    expect(changeGateDecision(change({ state: '-3', approval: 'requested' }), NOW).reason).toMatch(
      /awaiting approval \(state Authorize \(-3\)\)/,
    );
    expect(changeGateDecision(change({ state: '-5', approval: 'not requested' }), NOW).reason).toContain('not yet submitted for approval');
    expect(changeGateDecision(change({ state: '3', close_code: 'unsuccessful' }), NOW).reason).toMatch(/close code "unsuccessful"/);
    expect(changeGateDecision(change({ state: '-3' }), NOW).reason).toMatch(/Scheduled \(-2\) or Implement \(-1\)/);
  });

  it('prefers the label ServiceNow returned', () => {
    expect(changeGateDecision(change({ state: '-1', state_label: 'Umsetzen' }), NOW).reason).toContain('Umsetzen (-1)');
  });

  describe('planned window', () => {
    it('is pending before the window opens', () => {
      const d = changeGateDecision(change({ start_date: '2026-11-27T13:00:00.000Z', end_date: '2026-11-27T15:00:00.000Z' }), NOW);
      expect(d).toEqual({ state: 'pending', reason: expect.stringContaining('opens at 2026-11-27T13:00:00.000Z') });
    });
    it('is approved inside the window (ServiceNow internal format, UTC)', () => {
      const d = changeGateDecision(change({ start_date: '2026-11-27 11:00:00', end_date: '2026-11-27 13:00:00' }), NOW);
      expect(d.state).toBe('approved');
      expect(d.reason).toContain('inside its planned window');
    });
    it('is rejected after the window closed', () => {
      const d = changeGateDecision(change({ start_date: '2026-11-26 11:00:00', end_date: '2026-11-27 11:59:59' }), NOW);
      expect(d).toEqual({ state: 'rejected', reason: expect.stringContaining('closed at 2026-11-27T11:59:59.000Z') });
    });
    it('checks an open-ended window on the side that is set', () => {
      expect(changeGateDecision(change({ start_date: '2026-11-27 12:30:00' }), NOW).state).toBe('pending');
      expect(changeGateDecision(change({ end_date: '2026-11-27 11:00:00' }), NOW).state).toBe('rejected');
    });
    it('is ignored when enforceWindow is false', () => {
      const d = changeGateDecision(change({ end_date: '2026-11-27 11:00:00' }), NOW, { enforceWindow: false });
      expect(d.state).toBe('approved');
    });
    it('never takes an unreadable window for no window', () => {
      const d = changeGateDecision(change({ end_date: 'next tuesday' }), NOW);
      expect(d.state).toBe('pending');
      expect(d.reason).toContain('unreadable planned end_date');
    });
    it('does not let a window approve what is not approved', () => {
      const d = changeGateDecision(change({ approval: 'requested', start_date: '2026-11-27 11:00:00' }), NOW);
      expect(d.state).toBe('pending');
    });
  });

  it('takes instance-specific state values from the settings', () => {
    const settings = { approvedStates: ['implement'], canceledStates: ['cancelled'] };
    expect(changeGateDecision(change({ state: 'implement' }), NOW, settings).state).toBe('approved');
    expect(changeGateDecision(change({ state: '-1' }), NOW, settings).state).toBe('pending');
    expect(changeGateDecision(change({ state: 'cancelled' }), NOW, settings).state).toBe('rejected');
  });

  it('property: only an approved change in an approved state is ever approved', () => {
    const states = fc.constantFrom('-5', '-4', '-3', '-2', '-1', '0', '3', '4', 'x');
    const approvals = fc.constantFrom('not requested', 'requested', 'approved', 'rejected', '');
    const closeCodes = fc.constantFrom(null, 'successful', 'successful_issues', 'unsuccessful');
    const times = fc.option(fc.integer({ min: -5, max: 5 }).map((h) => new Date(NOW.getTime() + h * 3600_000).toISOString()));
    fc.assert(
      fc.property(states, approvals, closeCodes, times, times, (state, approval, close_code, start_date, end_date) => {
        const d = changeGateDecision(change({ state, approval, close_code, start_date, end_date }), NOW);
        if (d.state === 'approved') {
          expect(approval).toBe('approved');
          expect(['-2', '-1']).toContain(state);
          if (start_date) expect(Date.parse(start_date)).toBeLessThanOrEqual(NOW.getTime());
          if (end_date) expect(Date.parse(end_date)).toBeGreaterThanOrEqual(NOW.getTime());
        }
        if (approval === 'rejected' || state === '4' || state === '3') expect(d.state).toBe('rejected');
      }),
    );
  });
});

describe('parseTime', () => {
  it('reads ServiceNow internal values as UTC and ISO 8601 as written', () => {
    expect(parseTime('2026-01-02 03:04:05')).toBe(Date.parse('2026-01-02T03:04:05Z'));
    expect(parseTime('2026-01-02T03:04:05+01:00')).toBe(Date.parse('2026-01-02T02:04:05Z'));
    expect(parseTime('')).toBeNull();
    expect(parseTime(null)).toBeNull();
    expect(parseTime('soon')).toBeNull();
  });
});
