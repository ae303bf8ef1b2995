/**
 * The four-eyes gate's one decision: `evaluate(policy, facts) → Verdict`.
 * Pure: no I/O, no clock, no randomness; signature checks are CPU only, so the
 * same policy and facts always give the same verdict (the App, the deployment
 * gate, `simulate` and the property tests all call this one function).
 */
import { checkApprovalSignature, newSignatureCaches, type SignatureCaches, type SignatureCheck } from './approval-signature.js';
import { evaluateChecks } from './pre-approval-checks.js';
import { headFileChecks, headIndex, type HeadIndex } from './head-files.js';
import { factsProblems } from './facts.js';
import { fillSlots, type Signer } from './slot-fill.js';
import { coAuthorMatch } from './authors.js';
import { barredKeys, barredReason } from './author-keys.js';
import { formatProblem, validatePolicy } from './policy-parse.js';
import { pathMatcher } from './path-match.js';
import {
  POLICY_PATH,
  type ApprovalVerdict,
  type Policy,
  type PullRequestFacts,
  type ReviewFact,
  type RulePolicy,
  type RuleVerdict,
  type SlotFill,
  type Verdict,
} from './types.js';
import { own } from './own-property.js';

/** Both spellings of the policy file are protected, so a rename cannot slip past. */
const POLICY_FILES = [POLICY_PATH, POLICY_PATH.replace(/\.yml$/, '.yaml')];
const MAX_TOUCHED_SHOWN = 5;

const short = (sha: string): string => sha.slice(0, 7);
const lower = (s: string): string => s.toLowerCase();

/** GitHub marks apps' accounts with a `[bot]` suffix besides `type: Bot`. */
function isBot(r: ReviewFact): boolean {
  return r.is_bot === true || /\[bot\]$/i.test(r.login);
}

/**
 * The review that stands for each person: their latest that is not a mere
 * comment (GitHub keeps an approval standing through later comments).
 * Reviews are taken in the given order, or by `submitted_at` when all have it.
 */
export function standingReviews(reviews: readonly ReviewFact[]): ReviewFact[] {
  const ordered = reviews.every((r) => r.submitted_at)
    ? [...reviews].map((r, i) => ({ r, i })).sort((a, b) => Date.parse(a.r.submitted_at!) - Date.parse(b.r.submitted_at!) || a.i - b.i).map((x) => x.r)
    : [...reviews];
  const latest = new Map<string, ReviewFact>();
  for (const r of ordered) {
    const k = lower(r.login);
    const prev = latest.get(k);
    const weak = r.state === 'COMMENTED' || r.state === 'PENDING';
    if (!prev || !weak || prev.state === 'COMMENTED' || prev.state === 'PENDING') latest.set(k, r);
  }
  return [...latest.values()].sort((a, b) => (lower(a.login) < lower(b.login) ? -1 : lower(a.login) > lower(b.login) ? 1 : 0));
}

/** Every path a change touches: both sides of a rename count. */
export function touchedPaths(facts: PullRequestFacts): { all: string[]; present: string[] } {
  const all = new Set<string>();
  const present = new Set<string>();
  for (const c of facts.changed_files) {
    if (typeof c === 'string') {
      all.add(c);
      present.add(c);
      continue;
    }
    all.add(c.filename);
    if (c.status !== 'removed') present.add(c.filename);
    if (c.previous_filename) all.add(c.previous_filename);
  }
  return { all: [...all], present: [...present] };
}

/**
 * Matcher for a rule's protected paths, plus the policy file and the files
 * the policy names (always), under any spelling (path-match.ts).
 */
export function protectedMatcher(rule: RulePolicy): (path: string) => boolean {
  return pathMatcher(rule.protected_paths, [...POLICY_FILES, ...(rule.protected_files ?? [])]);
}

/** Per-review state shared by the rules. */
interface ReviewState {
  review: ReviewFact;
  /** Reason it cannot count in any rule, whatever the rule says. */
  excluded?: string;
}

/**
 * Evaluates the policy against the pull request's facts. Never throws: bad
 * facts, a bad policy object or an unexpected error give a failing verdict
 * whose reasons say why (a gate that cannot decide must not pass).
 */
export async function evaluate(policy: Policy, facts: PullRequestFacts): Promise<Verdict> {
  try {
    return await decide(policy, facts);
  } catch (e) {
    return failClosed(facts ?? {}, [`the gate could not evaluate this pull request (${(e as Error)?.message ?? String(e)}): it fails closed`]);
  }
}

async function decide(policy: Policy, facts: PullRequestFacts): Promise<Verdict> {
  if (!policy || !Array.isArray(policy.rules) || policy.rules.length === 0) {
    return failClosed(facts ?? {}, ['the policy has no rules: the gate cannot decide, so it fails']);
  }
  const problems = factsProblems(facts);
  if (problems.length > 0) {
    return failClosed(facts ?? {}, [`facts about the pull request are missing or malformed (${problems.join('; ')}): the gate fails closed`]);
  }
  const { all, present } = touchedPaths(facts);
  const matchers = policy.rules.map(protectedMatcher);
  const touchedByRule = matchers.map((m) => all.filter(m));
  const release = touchedByRule.some((t) => t.length > 0);

  const standing = standingReviews(facts.reviews);
  const authors = new Set(facts.commit_authors.map(lower));
  // A release PR opened by a bot is authored by whoever triggered the release workflow.
  const releaseActor = typeof facts.release_actor === 'string' && facts.release_actor !== '' ? lower(facts.release_actor) : undefined;
  const states: ReviewState[] = standing.map((review) => {
    const login = lower(review.login);
    let excluded: string | undefined;
    const coAuthor = review.state === 'APPROVED' && !policy.allow_commit_authors ? coAuthorMatch(review, facts.co_authors) : undefined;
    if (isBot(review)) excluded = `${review.login} is a bot; bots never approve releases`;
    else if (login === lower(facts.author)) excluded = `${review.login} opened the pull request; the author never counts`;
    else if (releaseActor !== undefined && login === releaseActor)
      excluded = `${review.login} triggered the release workflow that opened this pull request; the author never counts`;
    else if (review.state === 'APPROVED' && !policy.allow_commit_authors && authors.has(login))
      excluded = `${review.login} authored or committed commits in this pull request (set allow_commit_authors: true to let them approve)`;
    else if (coAuthor)
      excluded = `${review.login} co-authored commits in this pull request (Co-authored-by: ${coAuthor.name} <${coAuthor.email}>) (set allow_commit_authors: true to let commit authors approve)`;
    else if (review.state !== 'APPROVED') excluded = `${review.login}'s latest review is ${review.state}, not APPROVED`;
    else if (review.commit_id !== facts.head_sha)
      excluded = `${review.login}'s approval is for ${short(review.commit_id)}, not the head ${short(facts.head_sha)}`;
    return { review, excluded };
  });

  if (!release) {
    const rules = policy.rules.map((rule) => emptyRule(rule, false, true, ['no protected path of this rule changed']));
    return {
      passed: true,
      release: false,
      base_ref: facts.base_ref,
      head_sha: facts.head_sha,
      rules,
      roles: [],
      approvals: states.map(({ review }) => ({
        login: review.login,
        state: review.state,
        commit_id: review.commit_id,
        counted: false,
        reason: 'not needed: this pull request is not a model release',
      })),
      reasons: ['not a model release: no protected path is changed, so no approval is required'],
    };
  }

  const head = headIndex(facts);
  const notes: string[] = [];
  if (!head) {
    notes.push(
      'digests not computed from the commit: these facts carry no head_files, so the artifacts and metadata.json were taken as given (the App always computes them; see docs/simulate.md)',
    );
  }
  const sigCache = new Map<string, Promise<SignatureCheck>>();
  const signatureCaches = newSignatureCaches();
  const perReview = new Map<string, Array<{ rule: string; counted: boolean; reason: string; fingerprint?: string }>>();
  const note = (login: string, rule: string, counted: boolean, reason: string, fingerprint?: string): void => {
    const list = perReview.get(lower(login)) ?? [];
    list.push({ rule, counted, reason, fingerprint });
    perReview.set(lower(login), list);
  };

  // The statement each counted signature verified over, by login and rule:
  // the verdict carries these bytes, so the audit record never rebuilds them.
  const verified = new Map<string, string>();
  const ruleContext: RuleContext = {
    facts,
    head,
    states,
    sigCache,
    signatureCaches,
    note,
    verified,
    policyAllowsCommitAuthors: policy.allow_commit_authors,
  };
  const ruleVerdicts: RuleVerdict[] = [];
  for (let i = 0; i < policy.rules.length; i++) {
    const rule = policy.rules[i];
    const touched = touchedByRule[i];
    if (touched.length === 0) {
      ruleVerdicts.push(emptyRule(rule, false, true, ['no protected path of this rule changed']));
      continue;
    }
    ruleVerdicts.push(await evaluateRule(rule, touched, present, matchers[i], ruleContext));
  }

  const applying = ruleVerdicts.filter((r) => r.applies);
  const reasons: string[] = [];
  if (applying.length === 0) reasons.push('protected paths changed but no rule applies: the gate fails closed');
  // Whoever wrote these commits is unknown, so whether they approved cannot be told.
  const unlinked = unlinkedAuthorFindings(facts, policy.require_linked_authors === true);
  if (policy.require_linked_authors === true) reasons.push(...unlinked);
  else notes.push(...unlinked);
  for (const r of applying) {
    if (r.passed) reasons.push(`${r.name}: satisfied`);
    else reasons.push(...r.reasons.map((x) => `${r.name}: ${x}`));
  }
  const passed = applying.length > 0 && applying.every((r) => r.passed) && !(policy.require_linked_authors === true && unlinked.length > 0);

  for (const r of ruleVerdicts) for (const n of r.notes ?? []) if (!notes.includes(n)) notes.push(n);

  const approvals: ApprovalVerdict[] = states.map(({ review, excluded }) => {
    const base = { login: review.login, state: review.state, commit_id: review.commit_id };
    if (excluded) return { ...base, counted: false, reason: excluded };
    const notes = perReview.get(lower(review.login)) ?? [];
    const counted = notes.some((n) => n.counted);
    const fp = notes.find((n) => n.fingerprint)?.fingerprint;
    const rulesNoted = new Set(notes.map((n) => n.rule));
    const distinct = [...new Set(notes.map((n) => n.reason))];
    // Name the rule only when the review was judged by several.
    const reason =
      notes.length === 0
        ? 'no applicable rule'
        : rulesNoted.size <= 1
          ? distinct.join('; ')
          : notes.map((n) => `${n.rule}: ${n.reason}`).join('; ');
    const statement = notes.filter((n) => n.counted).map((n) => verified.get(verifiedKey(review.login, n.rule))).find((x) => x !== undefined);
    return { ...base, counted, reason, ...(fp ? { key_fingerprint: fp } : {}), ...(statement !== undefined ? { statement } : {}) };
  });

  return {
    passed,
    release: true,
    base_ref: facts.base_ref,
    head_sha: facts.head_sha,
    rules: ruleVerdicts,
    roles: ruleVerdicts.flatMap((r) => r.roles.map((role) => ({ rule: r.name, ...role }))),
    approvals,
    reasons: passed ? [`every rule this pull request touches is satisfied (${applying.map((r) => r.name).join(', ')})`] : reasons,
    notes,
  };
}

/** One sentence per commit whose author email links to no GitHub account. */
function unlinkedAuthorFindings(facts: PullRequestFacts, refused: boolean): string[] {
  return (facts.unlinked_commit_authors ?? []).map((u) => {
    const who = `commit ${u.sha.slice(0, 12)} is authored by ${u.name} <${u.email}>, an address linked to no GitHub account`;
    return refused
      ? `${who}, and the policy says require_linked_authors: true (link the address to the author's account, or rewrite the commit with a linked one)`
      : `${who}: the gate cannot tell whether its author approved (require_linked_authors: true refuses such commits)`;
  });
}

function emptyRule(rule: RulePolicy, applies: boolean, passed: boolean, reasons: string[]): RuleVerdict {
  return {
    name: rule.name,
    applies,
    passed,
    touched: [],
    roles: rule.roles.map((r) => ({ role: r.name, required: r.count, filled_by: [] })),
    missing: [],
    checks: [],
    minimum_approvers: rule.minimum_approvers,
    approvers: [],
    reasons,
  };
}

/** What every rule of one evaluation shares: the facts, the reviews' states, the signature caches, and where notes go. */
interface RuleContext {
  facts: PullRequestFacts;
  head: HeadIndex | undefined;
  states: ReviewState[];
  sigCache: Map<string, Promise<SignatureCheck>>;
  signatureCaches: SignatureCaches;
  note: (login: string, rule: string, counted: boolean, reason: string, fingerprint?: string) => void;
  /** `login\0rule` → the statement bytes (UTF-8) the reviewer's signature verified over. */
  verified: Map<string, string>;
  policyAllowsCommitAuthors: boolean;
}

const verifiedKey = (login: string, rule: string): string => `${lower(login)}\0${rule}`;

async function evaluateRule(rule: RulePolicy, touched: string[], present: string[], isProtected: (p: string) => boolean, ctx: RuleContext): Promise<RuleVerdict> {
  const { facts, head, states, sigCache, signatureCaches, note, policyAllowsCommitAuthors } = ctx;
  const reasons: string[] = [];
  const missing: string[] = [];

  // Role membership as gathered now; a team the facts do not cover fails closed.
  const members = new Map<string, Set<string>>();
  for (const role of rule.roles) {
    const set = new Set(role.users.map(lower));
    for (const team of role.teams) {
      const list = own(facts.teams, team) ?? Object.entries(facts.teams).find(([t]) => lower(t) === lower(team))?.[1];
      if (!list) {
        reasons.push(`membership of team ${team} (role ${role.name}) was not gathered: failing closed`);
        continue;
      }
      for (const m of list) set.add(lower(m));
    }
    members.set(role.name, set);
  }
  const rolesOf = (login: string): string[] => rule.roles.filter((r) => members.get(r.name)!.has(lower(login))).map((r) => r.name);

  const signers: Signer[] = [];
  let barred: ReturnType<typeof barredKeys> | undefined;
  for (const { review, excluded } of states) {
    const roles = rolesOf(review.login);
    const isAuthor = lower(review.login) === lower(facts.author) || (typeof facts.release_actor === 'string' && lower(review.login) === lower(facts.release_actor));
    if (review.state === 'CHANGES_REQUESTED' && rule.changes_requested_veto && roles.length > 0 && !isBot(review) && !isAuthor) {
      reasons.push(
        `${review.login} (${roles.join(', ')}) requested changes on ${short(review.commit_id)}: vetoed until that review is dismissed or turned into an approval`,
      );
    }
    if (excluded) continue;
    if (roles.length === 0) {
      note(review.login, rule.name, false, `${review.login} is in none of the roles of ${rule.name} (${rule.roles.map((r) => r.name).join(', ')})`);
      continue;
    }
    let eligible = roles;
    let fill: SlotFill = { login: review.login, signature: 'not-required' };
    let how = 'approved';
    let keyId: string | undefined;
    if (rule.signatures.required) {
      const roleNames = rule.roles.map((r) => r.name);
      const key = `${lower(review.login)}\0${JSON.stringify(rule.signatures.keys)}\0${JSON.stringify(roleNames)}`;
      let pending = sigCache.get(key);
      if (!pending) {
        pending = checkApprovalSignature(review, facts, rule.signatures.keys, roleNames, signatureCaches);
        sigCache.set(key, pending);
      }
      const sig = await pending;
      if (!sig.valid) {
        note(review.login, rule.name, false, sig.reason);
        continue;
      }
      // A key of someone who may not approve makes the approval theirs.
      barred ??= barredKeys(facts, rule.signatures.keys, policyAllowsCommitAuthors);
      const owner = sig.key_id !== undefined ? barred.get(sig.key_id) : undefined;
      if (owner && lower(owner.login) !== lower(review.login)) {
        note(review.login, rule.name, false, barredReason(review.login, sig.fingerprint, owner), sig.fingerprint);
        continue;
      }
      if (sig.role !== undefined) {
        if (!roles.includes(sig.role)) {
          note(review.login, rule.name, false, `${review.login} signed for role ${sig.role} but is not a member of it`, sig.fingerprint);
          continue;
        }
        eligible = [sig.role];
      }
      fill = { login: review.login, key_fingerprint: sig.fingerprint, signature: 'valid' };
      if (sig.statement !== undefined) ctx.verified.set(verifiedKey(review.login, rule.name), sig.statement);
      how = sig.reason;
      keyId = sig.key_id ?? sig.fingerprint;
    }
    signers.push({ login: review.login, eligible, fill, how, key_id: keyId });
  }

  const outcome = fillSlots(rule.roles, signers);
  for (const n of outcome.notes) note(n.login, rule.name, n.counted, n.reason, n.fingerprint);
  const roles = outcome.roles;
  for (const r of roles) {
    const def = rule.roles.find((x) => x.name === r.role)!;
    if (r.filled_by.length < r.required) {
      const need = r.required - r.filled_by.length;
      const from = [...def.teams, ...def.users].join(', ');
      missing.push(`${r.role}: ${need} more approval${need === 1 ? '' : 's'} needed from ${from}${r.filled_by.length ? ` (filled by ${r.filled_by.map((f) => f.login).join(', ')})` : ''}`);
    }
  }
  const approvers = outcome.approvers;
  if (approvers.length < rule.minimum_approvers) {
    missing.push(`${rule.minimum_approvers} distinct approvers needed, ${approvers.length} counted${approvers.length ? ` (${approvers.join(', ')})` : ''}`);
  }
  // Explain why someone eligible in several roles fills only one slot.
  for (const u of outcome.unassigned) {
    if (missing.length > 0 && u.roles.length > 0) {
      note(u.login, rule.name, true, `${u.login} is eligible as ${u.roles.join(' or ')} but those slots are filled by other people (one person fills at most one role)`, u.fingerprint);
    }
  }
  reasons.push(...missing);
  // A shared key decides the rule only when it leaves a slot empty; it is always named.
  if (missing.length > 0) reasons.push(...outcome.shared_keys);

  const checks = [
    ...(head ? headFileChecks(rule, facts, head, present, isProtected, pathMatcher(rule.checks.models)) : []),
    ...evaluateChecks(rule, facts, present, isProtected),
  ];
  for (const c of checks) if (!c.passed) reasons.push(`check failed: ${c.reason}`);

  return {
    name: rule.name,
    applies: true,
    passed: reasons.length === 0,
    touched: touched.slice(0, MAX_TOUCHED_SHOWN),
    roles,
    missing,
    checks,
    minimum_approvers: rule.minimum_approvers,
    approvers,
    reasons,
    ...(outcome.shared_keys.length ? { notes: outcome.shared_keys } : {}),
  };
}

/** A failing verdict with reasons, for when the gate cannot decide (bad policy, missing facts). */
export function failClosed(facts: Partial<PullRequestFacts>, reasons: string[]): Verdict {
  return {
    passed: false,
    release: true,
    base_ref: facts.base_ref,
    head_sha: facts.head_sha ?? '',
    rules: [],
    roles: [],
    approvals: [],
    reasons,
  };
}

/**
 * Parses the policy text and evaluates it; an invalid policy fails the gate
 * with its problems (line and column) instead of throwing, so a front can
 * post the verdict as it is.
 */
export async function evaluatePolicyText(text: string, facts: PullRequestFacts, file: string = POLICY_PATH): Promise<Verdict> {
  const { policy, problems } = validatePolicy(text, file);
  if (!policy) return failClosed(facts ?? {}, [`the policy file is invalid, so the gate fails closed: ${problems.map(formatProblem).join('; ')}`]);
  return evaluate(policy, facts);
}
