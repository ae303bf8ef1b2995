/**
 * From the approvals that may count to who fills which role slot of a rule.
 * A person is a key holder, not a login: approvals signed with one key (by
 * its identity across formats, key-identity.ts) are one candidate, who fills
 * at most one slot whichever of its logins' roles it takes (issue 10, item 8:
 * one key registered for two accounts, or an allowed-signers line naming two
 * principals, must not fill two roles). Pure.
 */
import { assignSlots, type Candidate } from './matching.js';
import type { RolePolicy, RoleVerdict, SlotFill } from './types.js';

/** An approval that may count: its login, the roles it may fill, its signature. */
export interface Signer {
  login: string;
  /** Roles it may fill (its memberships, or the one role its statement is bound to). */
  eligible: string[];
  fill: SlotFill;
  /** How it was verified, for the review's reason. */
  how: string;
  /** The signing key's identity; unsigned approvals have none (each login is its own person). */
  key_id?: string;
}

/** What the assignment says about one login. */
export interface SignerNote {
  login: string;
  counted: boolean;
  reason: string;
  fingerprint?: string;
}

export interface SlotOutcome {
  roles: RoleVerdict[];
  /** The distinct people who count (one login per key). */
  approvers: string[];
  /** Per login, in the order given. */
  notes: SignerNote[];
  /** One sentence per key that signed for several logins. */
  shared_keys: string[];
  /** Key holders given no slot, with every role they could fill (for the "filled by other people" explanation). */
  unassigned: Array<{ login: string; roles: string[]; fingerprint?: string }>;
}

const list = (xs: string[]): string => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);

/**
 * Fills the rule's role slots from `signers` (in a deterministic order:
 * the result depends only on that order). A maximum matching, so one person
 * in two roles never blocks two others.
 */
export function fillSlots(roleDefs: readonly RolePolicy[], signers: readonly Signer[]): SlotOutcome {
  // Group by key: first appearance fixes the order.
  const groups: Signer[][] = [];
  const byKey = new Map<string, Signer[]>();
  for (const s of signers) {
    const existing = s.key_id !== undefined ? byKey.get(s.key_id) : undefined;
    if (existing) {
      existing.push(s);
      continue;
    }
    const g = [s];
    groups.push(g);
    if (s.key_id !== undefined) byKey.set(s.key_id, g);
  }
  const candidates: Candidate[] = groups.map((g) => ({ id: g[0].login, roles: new Set(g.flatMap((s) => s.eligible)) }));
  const slots = roleDefs.flatMap((r) => Array.from({ length: r.count }, () => r.name));
  const owner = assignSlots(candidates, slots);

  const roles: RoleVerdict[] = roleDefs.map((r) => ({ role: r.name, required: r.count, filled_by: [] }));
  // The login whose role the key holder's slot is: the first member eligible for it.
  const standing = groups.map((g) => g[0]);
  owner.forEach((c, s) => {
    if (c < 0) return;
    const member = groups[c].find((m) => m.eligible.includes(slots[s]))!;
    standing[c] = member;
    roles.find((r) => r.role === slots[s])!.filled_by.push(member.fill);
  });

  const notes: SignerNote[] = [];
  const shared: string[] = [];
  groups.forEach((g, i) => {
    const rep = standing[i];
    for (const m of g) {
      if (m === rep) {
        notes.push({ login: m.login, counted: true, reason: `${m.how}; eligible as ${m.eligible.join(' or ')}`, fingerprint: m.fill.key_fingerprint });
      } else {
        notes.push({
          login: m.login,
          counted: false,
          reason: `${m.login}'s approval was signed with key ${m.fill.key_fingerprint}, which also signed ${rep.login}'s: one key counts for one approver`,
          fingerprint: m.fill.key_fingerprint,
        });
      }
    }
    if (g.length > 1) {
      const fps = [...new Set(g.map((m) => m.fill.key_fingerprint).filter((f): f is string => f !== undefined))];
      const also = fps.length > 1 ? ` (also ${fps.slice(1).join(', ')})` : '';
      shared.push(`key ${fps[0]}${also} signed the approvals of ${list(g.map((m) => m.login))}: one key counts for one approver (${rep.login}'s counted)`);
    }
  });
  const assigned = new Set(owner.filter((c) => c >= 0));
  return {
    roles,
    approvers: standing.map((s) => s.login),
    notes,
    shared_keys: shared,
    unassigned: standing.flatMap((s, i) => (assigned.has(i) ? [] : [{ login: s.login, roles: [...candidates[i].roles], fingerprint: s.fill.key_fingerprint }])),
  };
}
