import fc from 'fast-check';
import { evaluate } from '../../src/approval/evaluate.js';
import { assignSlots } from '../../src/approval/matching.js';
import { parsePolicy } from '../../src/approval/policy-parse.js';
import type { ReviewFact } from '../../src/approval/types.js';
import { baseFacts, review } from './helpers.js';

const ROLES = ['r0', 'r1', 'r2'];

/** Brute force: the most slots any one-person-per-slot assignment fills. */
function bruteForceMax(people: Array<Set<string>>, slots: string[], slot = 0, used = new Set<number>()): number {
  if (slot === slots.length) return 0;
  let best = bruteForceMax(people, slots, slot + 1, used); // leave this slot empty
  people.forEach((roles, p) => {
    if (used.has(p) || !roles.has(slots[slot])) return;
    used.add(p);
    best = Math.max(best, 1 + bruteForceMax(people, slots, slot + 1, used));
    used.delete(p);
  });
  return best;
}

const instance = fc.record({
  people: fc.array(fc.subarray(ROLES), { maxLength: 6 }),
  counts: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
});

describe('role slot assignment (bipartite matching)', () => {
  it('never assigns one person twice, only to roles they hold, and fills as many slots as brute force', () => {
    fc.assert(
      fc.property(instance, ({ people, counts }) => {
        const slots = ROLES.flatMap((r, i) => Array.from({ length: counts[i] }, () => r));
        const candidates = people.map((roles, i) => ({ id: `p${i}`, roles: new Set(roles) }));
        const owner = assignSlots(candidates, slots);
        const assigned = owner.filter((o) => o >= 0);
        expect(new Set(assigned).size).toBe(assigned.length);
        owner.forEach((o, s) => {
          if (o >= 0) expect(candidates[o].roles.has(slots[s])).toBe(true);
        });
        expect(assigned.length).toBe(bruteForceMax(candidates.map((c) => c.roles), slots));
      }),
      { numRuns: 500 },
    );
  });

  it('the classic cases: one person in both roles fills one slot; {alice: A, bob: A+B} fills both', () => {
    expect(assignSlots([{ id: 'bob', roles: new Set(['A', 'B']) }], ['A', 'B']).filter((o) => o >= 0)).toHaveLength(1);
    expect(assignSlots([{ id: 'bob', roles: new Set(['A', 'B']) }, { id: 'alice', roles: new Set(['A']) }], ['A', 'B'])).toEqual([1, 0]);
  });
});

describe('evaluate: properties', () => {
  const logins = ['alice', 'bob', 'carol', 'erin', 'frank'];
  const policy = parsePolicy(`version: 1
protected_paths: ["models/**"]
signatures: {required: false}
roles:
  - {name: r0, teams: [acme/t0], count: 1}
  - {name: r1, teams: [acme/t1], count: 2}
  - {name: r2, users: [erin, frank]}
`);
  const world = fc.record({
    t0: fc.subarray(logins),
    t1: fc.subarray(logins),
    reviews: fc.array(
      fc.record({
        login: fc.constantFrom(...logins, 'dave'),
        state: fc.constantFrom<ReviewFact['state']>('APPROVED', 'APPROVED', 'COMMENTED', 'DISMISSED'),
        head: fc.boolean(),
      }),
      { maxLength: 6 },
    ),
    extra: fc.record({ login: fc.constantFrom(...logins) }),
  });

  it('passes iff a one-person-per-slot assignment of eligible approvers exists (brute force)', async () => {
    await fc.assert(
      fc.asyncProperty(world, async ({ t0, t1, reviews }) => {
        const f = baseFacts({
          changed_files: ['models/a.pt'],
          teams: { 'acme/t0': t0, 'acme/t1': t1 },
          reviews: reviews.map((r) => review(r.login, { state: r.state, commit_id: r.head ? baseFacts().head_sha : 'f'.repeat(40) })),
        });
        const v = await evaluate(policy, f);
        // Eligible: latest standing review approved at head, not the author (dave).
        const standing = new Map<string, (typeof reviews)[number]>();
        for (const r of reviews) if (!(r.state === 'COMMENTED' && standing.has(r.login) && standing.get(r.login)!.state !== 'COMMENTED')) standing.set(r.login, r);
        const eligible = [...standing.values()].filter((r) => r.state === 'APPROVED' && r.head && r.login !== 'dave').map((r) => r.login);
        const rolesOf = (l: string) => new Set([...(t0.includes(l) ? ['r0'] : []), ...(t1.includes(l) ? ['r1'] : []), ...(['erin', 'frank'].includes(l) ? ['r2'] : [])]);
        const people = eligible.map(rolesOf).filter((s) => s.size > 0);
        const slots = ['r0', 'r1', 'r1', 'r2'];
        const expected = bruteForceMax(people, slots) === slots.length && people.length >= 4;
        expect(v.passed).toBe(expected);
        const everyone = v.roles.flatMap((r) => r.filled_by.map((x) => x.login));
        expect(new Set(everyone).size).toBe(everyone.length);
      }),
      { numRuns: 200 },
    );
  });

  it('adding an approval never turns a pass into a fail (no veto configured)', async () => {
    await fc.assert(
      fc.asyncProperty(world, async ({ t0, t1, reviews, extra }) => {
        const base = baseFacts({
          changed_files: ['models/a.pt'],
          teams: { 'acme/t0': t0, 'acme/t1': t1 },
          reviews: reviews.map((r) => review(r.login, { state: r.state, commit_id: baseFacts().head_sha })),
        });
        const before = await evaluate(policy, base);
        const others = base.reviews.filter((r) => r.login !== extra.login);
        const after = await evaluate(policy, { ...base, reviews: [...others, review(extra.login)] });
        // Replacing someone's review by an approval of the head, or adding one, can only help.
        if (before.passed) expect(after.passed).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('is deterministic: the same inputs give the same verdict', async () => {
    await fc.assert(
      fc.asyncProperty(world, async ({ t0, t1, reviews }) => {
        const f = baseFacts({ changed_files: ['models/a.pt'], teams: { 'acme/t0': t0, 'acme/t1': t1 }, reviews: reviews.map((r) => review(r.login, { state: r.state })) });
        expect(JSON.stringify(await evaluate(policy, f))).toBe(JSON.stringify(await evaluate(policy, structuredClone(f))));
      }),
      { numRuns: 50 },
    );
  });
});
