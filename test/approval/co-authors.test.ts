/**
 * Attack: authors hiding (issue 10, item 9, evaluator side). An author who
 * is only named in a `Co-authored-by:` trailer, the person who triggered the
 * release workflow behind a bot-authored release PR, and commits whose
 * author email links to no account must not open a way to approve one's own
 * model.
 */
import { evaluate } from '../../src/approval/evaluate.js';
import { parsePolicy } from '../../src/approval/policy-parse.js';
import type { PullRequestFacts } from '../../src/approval/types.js';
import { baseFacts, review, USER_IDS } from './helpers.js';

const policy = (extra = '') =>
  parsePolicy(`version: 1
protected_paths: ["models/**"]
roles:
  - {name: senior-developer, teams: [acme/senior-developers]}
  - {name: risk-manager, teams: [acme/risk-managers]}
signatures: {required: false}
${extra}`);
/** alice and carol approve dave's release: passes unless one of them is hiding as an author. */
const facts = (over: Partial<PullRequestFacts> = {}): PullRequestFacts => baseFacts({ reviews: [review('alice'), review('carol')], ...over });
const reasonOf = async (f: PullRequestFacts, login: string, extra = '') => (await evaluate(policy(extra), f)).approvals.find((a) => a.login === login)!;

describe('attack: authors hiding in Co-authored-by trailers', () => {
  it('passes when no approver co-authored', async () => {
    expect((await evaluate(policy(), facts({ co_authors: [{ name: 'Erin', email: '105+erin@users.noreply.github.com' }] }))).passed).toBe(true);
  });

  it.each([
    ['an ID+login noreply address', { name: 'C', email: `${USER_IDS.carol}+carol@users.noreply.github.com` }],
    ['an ID+login noreply address after a rename (the id matches)', { name: 'C', email: `${USER_IDS.carol}+carol-old-name@users.noreply.github.com` }],
    ['the bare login noreply address, in other case', { name: 'C', email: 'Carol@Users.NoReply.GitHub.com' }],
    ['an address the gatherer resolved to the login', { name: 'C', email: 'carol@acme.example', login: 'Carol' }],
  ])('a co-author matched by %s does not count', async (_how, co) => {
    const f = facts({ co_authors: [co] });
    const v = await evaluate(policy(), f);
    expect(v.passed).toBe(false);
    expect(v.approvals.find((a) => a.login === 'carol')).toMatchObject({
      counted: false,
      reason: `carol co-authored commits in this pull request (Co-authored-by: ${co.name} <${co.email}>) (set allow_commit_authors: true to let commit authors approve)`,
    });
  });

  it.each([
    ['a lookalike domain', 'carol@users.noreply.github.com.evil.example'],
    ['a login inside another noreply address', '999+carolyn@users.noreply.github.com'],
    ['a name alone', 'someone@acme.example'],
  ])('%s is not a match (exact matching only)', async (_how, email) => {
    const v = await evaluate(policy(), facts({ co_authors: [{ name: 'carol', email }] }));
    expect(v.passed).toBe(true);
  });

  it('allow_commit_authors: true lets co-authors approve, like other commit authors', async () => {
    const v = await evaluate(policy('allow_commit_authors: true'), facts({ co_authors: [{ name: 'C', email: 'carol@users.noreply.github.com' }] }));
    expect(v.passed).toBe(true);
  });
});

describe('attack: a release PR opened by a bot for the person who triggered it', () => {
  it('the release actor counts as the author and never approves, even with allow_commit_authors', async () => {
    const f = facts({ author: 'github-actions[bot]', commit_authors: ['github-actions[bot]'], release_actor: 'carol' });
    for (const extra of ['', 'allow_commit_authors: true']) {
      const v = await evaluate(policy(extra), f);
      expect(v.passed).toBe(false);
      expect(v.approvals.find((a) => a.login === 'carol')).toMatchObject({
        counted: false,
        reason: 'carol triggered the release workflow that opened this pull request; the author never counts',
      });
    }
  });

  it("the release actor's change request is not a veto (an author cannot block or unblock their own release)", async () => {
    const v = await evaluate(
      policy('changes_requested_veto: true'),
      facts({ author: 'github-actions[bot]', release_actor: 'bob', reviews: [review('alice'), review('carol'), review('bob', { state: 'CHANGES_REQUESTED' })] }),
    );
    expect(v.passed).toBe(true);
  });
});

describe('commits whose author email links to no account', () => {
  const unlinked = [{ sha: 'abcdef1234567890abcdef1234567890abcdef12', name: 'Carol Laptop', email: 'carol@laptop.local' }];

  it('are shown in the verdict', async () => {
    const v = await evaluate(policy(), facts({ unlinked_commit_authors: unlinked }));
    expect(v.passed).toBe(true);
    expect(v.notes).toContain(
      'commit abcdef123456 is authored by Carol Laptop <carol@laptop.local>, an address linked to no GitHub account: the gate cannot tell whether its author approved (require_linked_authors: true refuses such commits)',
    );
  });

  it('fail the gate with require_linked_authors: true', async () => {
    const v = await evaluate(policy('require_linked_authors: true'), facts({ unlinked_commit_authors: unlinked }));
    expect(v.passed).toBe(false);
    expect(v.reasons).toContain(
      'commit abcdef123456 is authored by Carol Laptop <carol@laptop.local>, an address linked to no GitHub account, and the policy says require_linked_authors: true (link the address to the author\'s account, or rewrite the commit with a linked one)',
    );
    expect((await evaluate(policy('require_linked_authors: true'), facts())).passed).toBe(true);
  });

  it('do not matter to a pull request that is not a release', async () => {
    const v = await evaluate(policy('require_linked_authors: true'), facts({ changed_files: ['docs/a.md'], unlinked_commit_authors: unlinked }));
    expect(v).toMatchObject({ passed: true, release: false });
  });
});
