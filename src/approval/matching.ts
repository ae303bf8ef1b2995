/**
 * Who fills which role slot: a maximum bipartite matching (augmenting paths,
 * Kuhn's algorithm) between people and role slots (a role with count n is n
 * slots). It is what guarantees "two different people": one person in both
 * required teams can fill one slot only, and {alice: senior, bob: senior+risk}
 * still fills both roles (alice senior, bob risk) where a greedy pass may not.
 */

export interface Candidate {
  id: string;
  /** Role names this person may fill. */
  roles: ReadonlySet<string>;
}

/**
 * Assigns candidates to slots (each slot names its role) so that as many slots
 * as possible are filled, each candidate at most once. Deterministic: the
 * result depends only on the order of candidates and slots.
 * Returns, per slot, the index of the candidate filling it or -1.
 */
export function assignSlots(candidates: readonly Candidate[], slots: readonly string[]): number[] {
  const slotOwner = new Array<number>(slots.length).fill(-1);
  const adjacency = candidates.map((c) => slots.map((role, s) => (c.roles.has(role) ? s : -1)).filter((s) => s >= 0));

  const tryAssign = (person: number, seen: boolean[]): boolean => {
    for (const s of adjacency[person]) {
      if (seen[s]) continue;
      seen[s] = true;
      if (slotOwner[s] === -1 || tryAssign(slotOwner[s], seen)) {
        slotOwner[s] = person;
        return true;
      }
    }
    return false;
  };

  let filled = 0;
  for (let p = 0; p < candidates.length && filled < slots.length; p++) {
    if (tryAssign(p, new Array<boolean>(slots.length).fill(false))) filled++;
  }
  return slotOwner;
}
