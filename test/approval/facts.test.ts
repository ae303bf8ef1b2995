/**
 * The facts file's new fields (issue 10: head_files, co_authors,
 * unlinked_commit_authors, release_actor): every problem names its field,
 * and a malformed value never reaches the evaluator as a pass.
 */
import { evaluate } from '../../src/approval/evaluate.js';
import { factsProblems, validateFacts } from '../../src/approval/facts.js';
import { parsePolicy } from '../../src/approval/policy-parse.js';
import { baseFacts, DIGEST_A, review } from './helpers.js';

const ok = () => ({
  ...baseFacts(),
  head_files: [
    { path: 'models/fraud/model.pt', kind: 'lfs', digest: DIGEST_A, size: 10 },
    { path: 'models/fraud/metadata.json', kind: 'blob', digest: DIGEST_A, size: 3 },
    { path: 'models/old.pt', kind: 'absent' },
    { path: 'models/link', kind: 'symlink' },
    { path: 'models/sub', kind: 'submodule' },
    { path: 'models/big.pt', kind: 'unreadable', reason: 'GitHub answered 502' },
  ],
  co_authors: [{ name: 'Carol', email: '103+carol@users.noreply.github.com' }, { name: 'Bob', email: 'bob@acme.example', login: 'bob' }],
  unlinked_commit_authors: [{ sha: 'abcdef1234567890abcdef1234567890abcdef12', name: 'Laptop', email: 'x@laptop.local' }],
  release_actor: 'carol',
});

describe('facts: the fields the gate-hardening gatherer adds', () => {
  it('accepts every documented form', () => {
    expect(factsProblems(ok())).toEqual([]);
    expect(validateFacts(ok()).head_files).toHaveLength(6);
  });

  it('names every bad field', () => {
    const bad = {
      ...ok(),
      head_files: [
        { path: '', kind: 'blob', digest: DIGEST_A },
        { path: 'a', kind: 'file' },
        { path: 'b', kind: 'blob' },
        { path: 'c', kind: 'lfs', digest: 'sha256:XYZ', size: -1 },
        { path: 'd', kind: 'unreadable' },
        { path: 'a', kind: 'absent' },
        'models/x.pt',
      ],
      co_authors: [{ name: 'C' }, 'carol'],
      unlinked_commit_authors: [{ sha: 'abc', name: 1, email: '' }],
      release_actor: '',
    };
    expect(factsProblems(bad)).toEqual([
      'head_files[0].path: must be a non-empty string',
      'head_files[1].kind: must be one of blob, lfs, symlink, submodule, absent, unreadable',
      'head_files[2].digest: is required for kind blob (the SHA-256 of the bytes, sha256:<64 lowercase hex>)',
      'head_files[3].digest: must be sha256:<64 lowercase hex>',
      'head_files[3].size: must be an integer >= 0',
      'head_files[4].reason: is required for kind unreadable (why the file could not be read)',
      'head_files[5].path: "a" is listed twice (also head_files[1])',
      'head_files[6]: must be {path, kind, digest?, size?, reason?}',
      'co_authors[0].email: must be a non-empty string',
      'co_authors[1]: must be {name, email, login?}',
      'unlinked_commit_authors[0].sha: must be a full commit SHA (40 lowercase hex digits)',
      'unlinked_commit_authors[0].name: must be a string',
      'unlinked_commit_authors[0].email: must be a non-empty string',
      'release_actor: must be a non-empty login',
    ]);
  });

  it('head_files must be a list when given', () => {
    expect(factsProblems({ ...ok(), head_files: { 'models/a.pt': DIGEST_A } })).toEqual(['head_files: must be a list']);
  });

  it('malformed new fields fail the evaluation closed, naming the field', async () => {
    const policy = parsePolicy('version: 1\nprotected_paths: ["models/**"]\nroles: [{name: r, users: [alice]}]\nsignatures: {required: false}\n');
    const v = await evaluate(policy, { ...ok(), reviews: [review('alice')], head_files: [{ path: 'models/fraud/model.pt', kind: 'blob' }] } as never);
    expect(v.passed).toBe(false);
    expect(v.reasons[0]).toContain('head_files[0].digest: is required for kind blob');
  });
});
