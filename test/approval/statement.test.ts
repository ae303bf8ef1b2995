import fc from 'fast-check';
import { buildStatement, findApprover, statementBytes, StatementTemplate } from '../../src/approval/statement.js';
import { statementDifference } from '../../src/approval/approval-signature.js';
import { baseFacts } from './helpers.js';

describe('approval statement', () => {
  it('is canonical JSON with artifacts sorted by path, no trailing newline, role only when given', () => {
    const f = baseFacts({
      artifacts: [
        { path: 'models/b.pt', digest: `sha256:${'b'.repeat(64)}` },
        { path: 'models/a.pt', digest: `sha256:${'a'.repeat(64)}` },
      ],
    });
    const text = statementBytes(buildStatement(f, { login: 'alice', id: 101 })).toString();
    expect(text).toBe(
      `{"approver":{"id":101,"login":"alice"},"artifacts":[{"digest":"sha256:${'a'.repeat(64)}","path":"models/a.pt"},{"digest":"sha256:${'b'.repeat(64)}","path":"models/b.pt"}],"base_sha":"${f.base_sha}","decision":"approve","head_sha":"${f.head_sha}","lineage_digest":"${f.lineage_digest}","pull_request":12,"repository":"acme/models","repository_id":4242,"type":"model-release-approval","v":1}`,
    );
    expect(JSON.parse(statementBytes(buildStatement(f, { login: 'alice', id: 101 }, 'risk-manager')).toString()).role).toBe('risk-manager');
  });

  it('the template gives the same bytes as canonicalising the statement, for any facts, approver and role', () => {
    const digest = fc.stringMatching(/^[0-9a-f]{64}$/).map((h) => `sha256:${h}` as const);
    fc.assert(
      fc.property(
        fc.record({
          artifacts: fc.array(fc.record({ path: fc.string({ minLength: 1 }), digest })),
          lineage_digest: fc.option(digest, { nil: null }),
          repository: fc.string({ minLength: 1 }),
          pull_request: fc.integer({ min: 1, max: 1e6 }),
        }),
        fc.string(),
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.option(fc.string(), { nil: undefined }),
        (over, login, id, role) => {
          const f = baseFacts(over);
          expect(new StatementTemplate(f).bytes({ login, id }, role).toString()).toBe(statementBytes(buildStatement(f, { login, id }, role)).toString());
        },
      ),
    );
  });

  it('finds the approver in reviews or user_ids, case-insensitively, in GitHub\'s spelling', () => {
    const f = baseFacts({ reviews: [{ login: 'Alice', user_id: 101, state: 'APPROVED', commit_id: 'x', body: '' }], user_ids: { Carol: 103 } });
    expect(findApprover(f, 'alice')).toEqual({ login: 'Alice', id: 101 });
    expect(findApprover(f, 'carol')).toEqual({ login: 'Carol', id: 103 });
    expect(() => findApprover(f, 'zed')).toThrow(/no GitHub user id known for zed/);
  });
});

describe('explaining a signed statement that does not match', () => {
  const expected = buildStatement(baseFacts(), { login: 'alice', id: 101 });
  it('a statement for another repository id names both ids, even when the names are equal (a deleted and recreated repository)', () => {
    expect(statementDifference({ ...expected, repository_id: 999 }, expected)).toBe(
      'the signed statement is for repository acme/models (id 999), not acme/models (id 4242)',
    );
  });
  it('a statement for another repository names both', () => {
    expect(statementDifference({ ...expected, repository: 'acme/other', repository_id: 77 }, expected)).toBe(
      'the signed statement is for repository acme/other (id 77), not acme/models (id 4242)',
    );
  });
});
