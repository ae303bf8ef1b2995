import { gatherFacts } from '../../src/approval/gather-facts.js';
import { factNeeds } from '../../src/approval/fact-needs.js';
import { evaluate } from '../../src/approval/evaluate.js';
import { parsePolicy } from '../../src/approval/policy-parse.js';
import { memorySource } from '../helpers/memory-source.js';

const HEAD = 'c'.repeat(40);
const info = {
  repository: 'acme/models', repository_id: 3, number: 9, author: 'carol', state: 'open', default_branch: 'main',
  base_ref: 'main', base_sha: 'b'.repeat(40), head_ref: 'f', head_sha: HEAD, changed_files: 1, commits: 1,
};
const policy = parsePolicy(`version: 1
protected_paths: ["models/**"]
roles:
  - name: developer
    teams: [acme/ml]
  - name: risk
    users: [bob]
signatures:
  required: false
changes_requested_veto: true
`);

describe('gathering facts through the PullRequestSource interface (in memory)', () => {
  it('a change outside the protected paths asks for nothing but the PR and its files', async () => {
    const src = memorySource({ info, files: [{ filename: 'docs/a.md' }] });
    const facts = await gatherFacts(src, factNeeds(policy, [{ filename: 'docs/a.md' }]));
    expect(src.asked).toEqual(['pull', 'files']);
    expect((await evaluate(policy, facts)).passed).toBe(true);
  });

  it('a release asks for reviews, commit authors and the teams of approvers and objectors, but no keys when signatures are off', async () => {
    const approvals = [
      { login: 'alice', user_id: 1, state: 'APPROVED' as const, commit_id: HEAD, body: '' },
      { login: 'bob', user_id: 2, state: 'APPROVED' as const, commit_id: HEAD, body: '' },
    ];
    const src = memorySource({
      info,
      files: [{ filename: 'models/a.onnx' }],
      reviews: approvals,
      teams: { 'acme/ml': ['alice', 'dave'] },
      commitAuthors: ['carol'],
      contents: { [`${HEAD}:models/a.onnx`]: 'onnx bytes' },
    });
    const facts = await gatherFacts(src, factNeeds(policy, [{ filename: 'models/a.onnx' }]));
    expect(src.asked.filter((a) => a.startsWith('keys:'))).toEqual([]);
    expect(facts.teams).toEqual({ 'acme/ml': ['alice'] });
    expect((await evaluate(policy, facts)).passed).toBe(true);

    // A role member's objection is seen (their membership is gathered too).
    const vetoed = memorySource({
      info,
      files: [{ filename: 'models/a.onnx' }],
      reviews: [...approvals, { login: 'dave', user_id: 4, state: 'CHANGES_REQUESTED', commit_id: HEAD, body: 'no' }],
      teams: { 'acme/ml': ['alice', 'dave'] },
      contents: { [`${HEAD}:models/a.onnx`]: 'onnx bytes' },
    });
    const v = await evaluate(policy, await gatherFacts(vetoed, factNeeds(policy, [{ filename: 'models/a.onnx' }])));
    expect(v.passed).toBe(false);
    expect(v.reasons.join(' ')).toMatch(/dave .* requested changes/);
  });
});
