import fc from 'fast-check';
import { GateError } from '../../src/core/errors.js';
import type { ChangeManagement, ChangeRecord, GetChangeOptions } from '../../src/deploy/change-management.js';
import { ServiceNowChangeManagement } from '../../src/deploy/servicenow.js';
import { waitForChange, type Clock } from '../../src/deploy/wait-for-change.js';
import { ServiceNowDouble } from '../helpers/servicenow-double.js';

/** A clock that only moves when the loop sleeps (or a read says it took time). */
function fakeClock(start = Date.parse('2026-11-27T12:00:00Z')): Clock & { t: number; sleeps: number[] } {
  const c = {
    t: start,
    sleeps: [] as number[],
    now: () => c.t,
    sleep: async (ms: number) => {
      c.sleeps.push(ms);
      c.t += ms;
    },
  };
  return c;
}

function record(over: Partial<ChangeRecord> = {}): ChangeRecord {
  return {
    sys_id: 'a'.repeat(32),
    number: 'CHG0030001',
    state: '-3',
    approval: 'requested',
    close_code: null,
    start_date: null,
    end_date: null,
    url: 'https://acme.service-now.com/change_request.do?sys_id=a',
    ...over,
  };
}

/** A plain in-memory ChangeManagement whose answers follow a script, one per read. */
function scripted(answers: Array<Partial<ChangeRecord>>, onRead?: () => void): ChangeManagement & { reads: number } {
  const cm = {
    reads: 0,
    openChange: async () => ({ ...record(), created: true }),
    findChange: async () => null,
    getChange: async (_id: string, _o?: GetChangeOptions) => {
      onRead?.();
      const a = answers[Math.min(cm.reads, answers.length - 1)];
      cm.reads++;
      return record(a);
    },
  };
  return cm;
}

describe('waitForChange', () => {
  it('polls a pending change until it is approved', async () => {
    const clock = fakeClock();
    const cm = scripted([{}, {}, { approval: 'approved', state: '-2' }]);
    const seen: string[] = [];
    const r = await waitForChange(cm, 'CHG0030001', {
      timeoutMs: 3600_000,
      pollMs: 100_000,
      clock,
      onPoll: (_c, d) => seen.push(d.state),
    });
    expect(r.decision.state).toBe('approved');
    expect(r).toMatchObject({ polls: 3, timedOut: false });
    expect(seen).toEqual(['pending', 'pending', 'approved']);
    expect(clock.sleeps).toEqual([100_000, 100_000]);
  });

  it('stops at once on a rejection', async () => {
    const r = await waitForChange(scripted([{ approval: 'rejected' }]), 'CHG0030001', { timeoutMs: 60_000, clock: fakeClock() });
    expect(r).toMatchObject({ polls: 1, timedOut: false, decision: { state: 'rejected' } });
  });

  it('returns pending at the timeout, having slept no longer than the timeout', async () => {
    const clock = fakeClock();
    const start = clock.t;
    const r = await waitForChange(scripted([{}]), 'CHG0030001', { timeoutMs: 250_000, pollMs: 100_000, clock });
    expect(r.timedOut).toBe(true);
    expect(r.decision.state).toBe('pending');
    expect(r.decision.reason).toMatch(/awaiting approval.*still pending after waiting 250 s/);
    expect(clock.sleeps).toEqual([100_000, 100_000, 50_000]);
    expect(r.polls).toBe(3);
    expect(clock.t - start).toBe(250_000);
  });

  it('reads once with a zero timeout (a plain status check)', async () => {
    const r = await waitForChange(scripted([{}]), 'CHG0030001', { timeoutMs: 0, clock: fakeClock() });
    expect(r).toMatchObject({ polls: 1, timedOut: true });
    expect(r.decision.reason).not.toContain('still pending after');
  });

  it('property: never waits past the timeout and ends with the last answer', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 1, max: 3_000 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 1, max: 20 }),
        async (timeoutMs, pollMs, readMs, approveAt) => {
          const clock = fakeClock();
          const start = clock.t;
          const answers = Array.from({ length: approveAt }, (_, i) =>
            i === approveAt - 1 ? { approval: 'approved', state: '-1' } : {},
          );
          // Each read takes readMs of the fake clock's time.
          const cm = scripted(answers, () => void (clock.t += readMs));
          const r = await waitForChange(cm, 'CHG0030001', { timeoutMs, pollMs, clock });
          // Sleeping never goes past the deadline; only the one read in flight may.
          expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(timeoutMs);
          expect(clock.t - start).toBeLessThanOrEqual(timeoutMs + readMs);
          if (!r.timedOut) expect(r.decision.state).toBe('approved');
          else expect(r.decision.state).toBe('pending');
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a service failure before any answer is thrown', async () => {
    const cm: ChangeManagement = {
      openChange: async () => ({ ...record(), created: true }),
      findChange: async () => null,
      getChange: async () => {
        throw new GateError('E_SERVICENOW', 'down');
      },
    };
    await expect(waitForChange(cm, 'CHG0030001', { timeoutMs: 1000, clock: fakeClock() })).rejects.toThrow('down');
  });

  describe("against a local double of ServiceNow's documented Change Management API", () => {
    let double: ServiceNowDouble;
    beforeEach(async () => {
      double = await ServiceNowDouble.start();
    });
    afterEach(async () => {
      await double.close();
    });

    it('sees the board approve between polls', async () => {
      const cm = new ServiceNowChangeManagement({
        instance: double.url,
        auth: { username: 'svc-model-gate', password: 'correct horse' },
      });
      const { sys_id, number } = await cm.openChange({ short_description: 'Release model' });
      double.request(sys_id);
      let reads = 0;
      double.onRequest = () => {
        reads++;
        if (reads === 2) double.approve(sys_id, '-1'); // after the second poll
      };
      const r = await waitForChange(cm, number, { timeoutMs: 60_000, pollMs: 1_000, clock: fakeClock() });
      expect(r).toMatchObject({ polls: 3, timedOut: false, decision: { state: 'approved' } });
      expect(r.change).toMatchObject({ number, state: '-1', approval: 'approved' });
    });

    it('ends as timed out when the deadline cuts a slow read short after an earlier answer', async () => {
      const cm = new ServiceNowChangeManagement({
        instance: double.url,
        auth: { username: 'svc-model-gate', password: 'correct horse' },
        sleep: async () => undefined,
      });
      const { sys_id } = await cm.openChange({ short_description: 'Release model' });
      // Real clock, short timeout: the first read answers, the second hangs past the deadline.
      double.failNext({ method: 'GET', thenHandle: true }, { method: 'GET', delayMs: 2_000, thenHandle: true });
      double.requests.length = 0;
      const r = await waitForChange(cm, sys_id, { timeoutMs: 300, pollMs: 50 });
      expect(r.timedOut).toBe(true);
      expect(r.decision.state).toBe('pending');
    });
  });
});
