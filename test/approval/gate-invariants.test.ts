/**
 * Property tests of the invariants issue 10 adds to the evaluator:
 * - a key never fills two people (whatever logins it signed for);
 * - a co-author never counts as an approver;
 * - path normalisation is idempotent, and a protected path stays protected
 *   under any case, NFC/NFD or invisible-code-point spelling;
 * - a verdict never passes with a changed protected file the head does not
 *   hold as a regular file or LFS pointer.
 */
import fc from 'fast-check';
import { evaluate, protectedMatcher } from '../../src/approval/evaluate.js';
import { assignSlots } from '../../src/approval/matching.js';
import { foldCase, pathKey, pathMatcher } from '../../src/approval/path-match.js';
import { parsePolicy } from '../../src/approval/policy-parse.js';
import { fillSlots, type Signer } from '../../src/approval/slot-fill.js';
import type { CoAuthorFact, HeadFileFact, RolePolicy } from '../../src/approval/types.js';
import { baseFacts, DIGEST_A, review } from './helpers.js';

const ROLE_NAMES = ['dev', 'risk', 'ops'];

describe('property: a key never fills two people', () => {
  const roles = fc.array(fc.record({ name: fc.constantFrom(...ROLE_NAMES), count: fc.integer({ min: 1, max: 2 }) }), { minLength: 1, maxLength: 3 }).map((rs) => {
    const seen = new Set<string>();
    return rs.filter((r) => !seen.has(r.name) && seen.add(r.name)).map((r): RolePolicy => ({ ...r, teams: [], users: ['x'] }));
  });
  const signers = fc.uniqueArray(
    fc.record({
      login: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
      eligible: fc.subarray(ROLE_NAMES, { minLength: 1 }),
      key: fc.option(fc.constantFrom('k1', 'k2', 'k3'), { nil: undefined }),
    }),
    { selector: (s) => s.login, maxLength: 6 },
  ).map((list) =>
    list.map((s): Signer => ({
      login: s.login,
      eligible: s.eligible,
      how: 'approved',
      key_id: s.key,
      fill: { login: s.login, signature: s.key ? 'valid' : 'not-required', ...(s.key ? { key_fingerprint: `SHA256:${s.key}` } : {}) },
    })),
  );

  it('every filled slot has its own key, every fill is eligible for its role, and the matching is maximum over key holders', () => {
    fc.assert(
      fc.property(roles, signers, (roleDefs, list) => {
        const out = fillSlots(roleDefs, list);
        const fills = out.roles.flatMap((r) => r.filled_by.map((f) => ({ role: r.role, f })));
        const keyOf = (login: string) => list.find((s) => s.login === login)!.key_id ?? `login:${login}`;
        // No key (and no login) fills two slots.
        expect(new Set(fills.map((x) => keyOf(x.f.login))).size).toBe(fills.length);
        // Each fill is a login eligible for that role.
        for (const x of fills) expect(list.find((s) => s.login === x.f.login)!.eligible).toContain(x.role);
        // Distinct approvers are distinct key holders.
        expect(new Set(out.approvers.map(keyOf)).size).toBe(out.approvers.length);
        // As many slots as any assignment of key holders could fill.
        const holders = [...new Set(list.map((s) => keyOf(s.login)))];
        const candidates = holders.map((h) => ({ id: h, roles: new Set(list.filter((s) => keyOf(s.login) === h).flatMap((s) => s.eligible)) }));
        const slots = roleDefs.flatMap((r) => Array.from({ length: r.count }, () => r.name));
        expect(fills.length).toBe(assignSlots(candidates, slots).filter((c) => c >= 0).length);
      }),
      { numRuns: 500 },
    );
  });
});

describe('property: a co-author never counts', () => {
  const policy = parsePolicy(`version: 1
protected_paths: ["models/**"]
roles:
  - {name: dev, users: [alice, bob, carol, erin]}
  - {name: risk, users: [alice, bob, carol, erin]}
minimum_approvers: 1
signatures: {required: false}
`);
  const IDS: Record<string, number> = { alice: 101, bob: 102, carol: 103, erin: 105 };
  const flipCase = (s: string, mask: number) => [...s].map((c, i) => ((mask >> i) & 1 ? c.toUpperCase() : c)).join('');
  const coAuthor = (login: string, form: number, mask: number): CoAuthorFact => {
    switch (form) {
      case 0:
        return { name: 'x', email: `${IDS[login]}+${flipCase(login, mask)}@users.noreply.github.com` };
      case 1:
        return { name: 'x', email: `${IDS[login]}+renamed-${login}@USERS.noreply.github.com` };
      case 2:
        return { name: 'x', email: `${flipCase(login, mask)}@users.noreply.github.com` };
      default:
        return { name: login, email: `${login}@acme.example`, login: flipCase(login, mask) };
    }
  };

  it('whatever form names them, co-authors fill no role and are not counted', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.subarray(Object.keys(IDS), { minLength: 1 }),
        fc.array(fc.tuple(fc.constantFrom(...Object.keys(IDS)), fc.integer({ min: 0, max: 3 }), fc.nat(31)), { maxLength: 4 }),
        async (approvers, coList) => {
          const co = coList.map(([l, form, mask]) => coAuthor(l, form, mask));
          const coLogins = new Set(coList.map(([l]) => l));
          const v = await evaluate(policy, baseFacts({ reviews: approvers.map((l) => review(l)), co_authors: co }));
          for (const a of v.approvals) if (coLogins.has(a.login)) expect(a.counted).toBe(false);
          for (const r of v.roles) for (const f of r.filled_by) expect(coLogins.has(f.login)).toBe(false);
          // Everyone else still counts: the defence takes away only co-authors.
          const others = approvers.filter((l) => !coLogins.has(l));
          expect(v.passed).toBe(others.length >= 2);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('property: path spelling', () => {
  const IGNORABLES = ['\u200b', '\u200c', '\u200d', '\u00ad', '\u2060', '\ufeff', '\ufe0f'];
  const LETTERS = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789éèàüöçñåøæÉÈÀÜÖÇÑÅØÆαβγδΑΒΓΔабвгАБВГ𐐀𐐨𐲀𐳀ς_-'];
  const segment = fc.array(fc.constantFrom(...LETTERS), { minLength: 1, maxLength: 8 }).map((cs) => cs.join(''));
  const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/'));
  /** Another spelling of `p`: some letters in the other case, NFC or NFD, invisible code points inserted. */
  const respell = (p: string, caseMask: number[], nfd: boolean, inserts: Array<[number, number]>): string => {
    let chars = [...p].map((c, i) => {
      if (!caseMask[i % caseMask.length]) return c;
      const other = c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
      return [...other].length === 1 ? other : c;
    });
    for (const [at, which] of inserts) chars.splice(at % (chars.length + 1), 0, IGNORABLES[which % IGNORABLES.length]);
    const s = chars.join('');
    chars = [];
    return nfd ? s.normalize('NFD') : s.normalize('NFC');
  };
  const spelling = fc.tuple(fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 1, maxLength: 7 }), fc.boolean(), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 3 }));

  it('pathKey and case folding are idempotent on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(pathKey(pathKey(s))).toBe(pathKey(s));
        const k = foldCase(pathKey(s));
        expect(foldCase(pathKey(k))).toBe(k);
      }),
      { numRuns: 2000 },
    );
  });

  it('a path under a protected directory stays protected under any case, NFC/NFD and invisible spelling of the directory and the file', () => {
    fc.assert(
      fc.property(path, segment, spelling, fc.boolean(), (dir, file, [mask, nfd, inserts], globNfd) => {
        const glob = `${globNfd ? dir.normalize('NFD') : dir}/**`;
        const rule = parsePolicy(`version: 1\nprotected_paths: [${JSON.stringify(glob)}]\nroles: [{name: r, users: [alice]}]\n`).rules[0];
        expect(protectedMatcher(rule)(respell(`${dir}/${file}`, mask, nfd, inserts))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('an extension glob (**/*.pt) protects any spelling of the extension', () => {
    const m = pathMatcher(['**/*.pt']);
    fc.assert(fc.property(path, spelling, (p, [mask, nfd, inserts]) => expect(m(respell(`${p}.pt`, mask, nfd, inserts))).toBe(true)), { numRuns: 300 });
  });

  it('an exact file the policy names matches itself under any spelling, whatever characters it has', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }), spelling, (p, [mask, nfd, inserts]) => {
        fc.pre(pathKey(p).length > 0);
        expect(pathMatcher([], [p])(p)).toBe(true);
        const variant = respell(p, mask, nfd, inserts);
        // Only letters whose case maps one to one are respelled; the rest stay as written.
        expect(pathMatcher([], [p])(variant)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('property: a changed protected file the head does not hold as bytes never passes', () => {
  const policy = parsePolicy(`version: 1
protected_paths: ["models/**"]
roles: [{name: r, users: [alice]}]
signatures: {required: false}
`);
  const kinds: Array<HeadFileFact['kind'] | 'missing'> = ['blob', 'lfs', 'symlink', 'submodule', 'absent', 'unreadable', 'missing'];
  it('passes only when every changed protected file is a blob or an LFS pointer', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...kinds), { minLength: 1, maxLength: 5 }), async (ks) => {
        const paths = ks.map((_, i) => `models/f${i}.bin`);
        const head_files: HeadFileFact[] = ks.flatMap((k, i): HeadFileFact[] =>
          k === 'missing' ? [] : [{ path: paths[i], kind: k, ...(k === 'blob' || k === 'lfs' ? { digest: DIGEST_A, size: 1 } : {}), ...(k === 'unreadable' ? { reason: '502' } : {}) }],
        );
        const v = await evaluate(policy, baseFacts({ changed_files: paths, artifacts: [], head_files, reviews: [review('alice')] }));
        expect(v.passed).toBe(ks.every((k) => k === 'blob' || k === 'lfs'));
      }),
      { numRuns: 200 },
    );
  });
});
