/**
 * The choice of failed deliveries to redeliver (GitHub's "redelivering failed
 * deliveries" guide: an event whose attempts all failed, asked for again by
 * its latest attempt), as a pure function.
 */
import fc from 'fast-check';
import type { Delivery } from '../../src/github/deliveries.js';
import { deliveriesToRedeliver } from '../../src/github/redelivery-choice.js';

const HANDLED = new Set(['pull_request', 'check_run']);
const NOW = Date.parse('2026-12-01T12:00:00Z');
const at = (minutesAgo: number) => new Date(NOW - minutesAgo * 60_000).toISOString();
const d = (id: number, guid: string, minutesAgo: number, status: string, extra: Partial<Delivery> = {}): Delivery => ({
  id,
  guid,
  delivered_at: at(minutesAgo),
  redelivery: false,
  status,
  event: 'pull_request',
  ...extra,
});
const pick = (ds: Delivery[], quietMs = 5 * 60_000, max = 100) => deliveriesToRedeliver(ds, NOW, quietMs, HANDLED, max).map((x) => x.id);

describe('deliveriesToRedeliver', () => {
  it('asks again for an event whose only attempt failed, and not for one any attempt of which succeeded', () => {
    expect(pick([d(1, 'a', 30, 'Timed out'), d(2, 'b', 30, 'Timed out'), d(3, 'b', 20, 'OK', { redelivery: true })])).toEqual([1]);
  });

  it('uses the latest attempt of an event (by time, then id)', () => {
    expect(pick([d(5, 'a', 40, 'Timed out'), d(9, 'a', 20, 'failed to connect', { redelivery: true })])).toEqual([9]);
    expect(pick([d(5, 'a', 20, 'Timed out'), d(4, 'a', 20, 'Timed out')])).toEqual([5]);
  });

  it('leaves an event whose latest attempt is a redelivery younger than the quiet period to that attempt', () => {
    expect(pick([d(1, 'a', 60, 'Timed out'), d(2, 'a', 1, 'Timed out', { redelivery: true })])).toEqual([]);
    expect(pick([d(1, 'a', 60, 'Timed out'), d(2, 'a', 10, 'Timed out', { redelivery: true })])).toEqual([2]);
  });

  it('ignores events the App does not handle, and returns at most `max`, by id', () => {
    expect(pick([d(3, 'c', 5, 'Timed out'), d(1, 'a', 5, 'Timed out', { event: 'issues' }), d(2, 'b', 5, 'Timed out')], undefined, 1)).toEqual([2]);
  });

  it('property: at most one attempt per event, never of an event with an OK attempt, each the latest of its event', () => {
    const delivery = fc.record({
      id: fc.integer({ min: 1, max: 10_000 }),
      guid: fc.constantFrom('a', 'b', 'c', 'd'),
      minutesAgo: fc.integer({ min: 0, max: 120 }),
      status: fc.constantFrom('OK', 'Timed out', 'failed to connect'),
      redelivery: fc.boolean(),
      event: fc.constantFrom('pull_request', 'check_run', 'issues'),
    });
    fc.assert(
      fc.property(fc.uniqueArray(delivery, { selector: (x) => x.id, maxLength: 30 }), (rows) => {
        const ds = rows.map((r) => d(r.id, r.guid, r.minutesAgo, r.status, { redelivery: r.redelivery, event: r.event }));
        const out = deliveriesToRedeliver(ds, NOW, 5 * 60_000, HANDLED, 100);
        expect(new Set(out.map((x) => x.guid)).size).toBe(out.length);
        for (const x of out) {
          const attempts = ds.filter((y) => y.guid === x.guid);
          expect(attempts.some((y) => y.status === 'OK')).toBe(false);
          expect(attempts.every((y) => Date.parse(y.delivered_at) <= Date.parse(x.delivered_at))).toBe(true);
        }
      }),
    );
  });
});
