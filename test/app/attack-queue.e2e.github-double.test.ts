/**
 * Attacks on the merge queue path (issue 10, items 2 and 3), through the App
 * server over HTTP. GitHub's documented behaviour, modelled by the double and
 * the payloads: a `merge_group.checks_requested` event names the group's
 * head, base and queue ref; anyone with write access can push a branch with
 * any name, `gh-readonly-queue/...` included; a merge group holds the changes
 * of every pull request queued before it.
 */
import { mergeGroupEvent, rerunEvent } from '../helpers/app-harness.js';
import { scenarioSuite } from '../helpers/app-release.js';
import { policyText } from '../helpers/policies.js';

const REPO = 'acme/queue';
const INSTALLATION = 63;

describe('attacks on the merge queue path, through the App', () => {
  const suite = scenarioSuite({ repo: REPO, installation: INSTALLATION, policy: policyText('developer-and-risk'), tmpPrefix: 'mrg-attack-queue-' });

  /** A docs-only pull request (passes as "not a model release"). */
  function docsPull(): { number: number; head: string } {
    const { gh } = suite.app;
    const number = gh.repo(REPO).pulls.size + 1;
    gh.commit(REPO, { branch: `docs-${number}`, parent: gh.repo(REPO).branches.get('main'), changes: { [`docs/${number}.md`]: 'words' }, author: 'carol' });
    const p = gh.openPull(REPO, { number, author: 'carol', base: 'main', head: `docs-${number}` });
    return { number, head: p.head.sha };
  }

  it('attack: a branch named like a merge queue branch, re-run from its check: never judged as a queue, never "Not a model release"', async () => {
    const { gh } = suite.app;
    const docs = docsPull();
    expect((await suite.s.evaluate(docs.number)).conclusion).toBe('success');
    // mallory pushes a model change on top of the docs pull request's head, on a branch named like the queue's.
    const branch = `gh-readonly-queue/main/pr-${docs.number}-${docs.head}`;
    const evil = gh.commit(REPO, { branch, parent: docs.head, changes: { 'models/fraud/model.onnx': 'unreviewed weights' }, author: 'mallory' });
    // A gate run exists on that commit (e.g. left by an earlier pull request), and mallory clicks "Re-run".
    gh.checkRuns.push({ ...gh.latestCheckRun(docs.head)!, id: gh.id(), head_sha: evil });
    const payload = rerunEvent(gh, REPO, docs.number, INSTALLATION, suite.app.appId);
    Object.assign(payload.check_run, { head_sha: evil, pull_requests: [] });
    payload.check_run.check_suite = { ...payload.check_run.check_suite, head_branch: branch, head_sha: evil };
    const run = await suite.s.deliver('check_run', payload, evil);
    expect(run.conclusion).toBe('failure');
    expect(run.output.title).not.toMatch(/Not a model release/);
    expect(run.output.summary).toMatch(/no open pull request has this commit as its head/);
  });

  it('attack: a merge group judged by one of its pull requests: #8 (docs) carries #7\'s unapproved model change', async () => {
    const { gh } = suite.app;
    const seven = suite.s.openRelease(); // unapproved model change, queued first
    const eight = docsPull(); // queued behind it
    const main = gh.repo(REPO).branches.get('main')!;
    // The group GitHub builds for #8: main + #7 + #8.
    const groupHead = gh.commit(REPO, {
      parent: eight.head,
      changes: { [seven.modelPath]: String(gh.repo(REPO).commits.get(seven.head)!.tree.get(seven.modelPath)), [seven.metaPath]: seven.meta },
      message: 'Merge group',
      author: 'mallory',
    });
    const event = mergeGroupEvent(gh, REPO, eight.number, { head_sha: groupHead, base_sha: main, base_ref: 'main' }, INSTALLATION);
    let run = await suite.s.deliver('merge_group', event, groupHead);
    expect(run.conclusion).toBe('failure');
    expect(run.output.title).toMatch(/is not what any approved pull request signed/);
    expect(run.output.summary).toMatch(new RegExp(`#${seven.number}: carries .* but is not approved`));

    // Once #7 is approved (signed over its bytes), the same group passes: the check is exact, not just closed.
    suite.s.approve(seven.number, 'alice', suite.s.statement(seven.number, 'alice', { release: seven }));
    suite.s.approve(seven.number, 'bob', suite.s.statement(seven.number, 'bob', { release: seven }));
    run = await suite.s.deliver('merge_group', event, groupHead);
    expect(run.conclusion).toBe('success');
    expect(run.output.summary).toContain(`| \`${seven.modelPath}\` | blob | \`${seven.model}\` | #${seven.number} |`);
  });

  it('a merge group ref that is not the queue ref of the group\'s own base fails closed', async () => {
    const { gh } = suite.app;
    const docs = docsPull();
    const main = gh.repo(REPO).branches.get('main')!;
    const event = mergeGroupEvent(gh, REPO, docs.number, { head_sha: docs.head, base_sha: main, base_ref: 'main' }, INSTALLATION);
    event.merge_group.head_ref = `refs/heads/gh-readonly-queue/release/pr-${docs.number}-${docs.head}`;
    const run = await suite.s.deliver('merge_group', event, docs.head);
    expect(run.conclusion).toBe('failure');
    expect(run.output.summary).toMatch(/is not a merge queue ref for main/);
  });
});
