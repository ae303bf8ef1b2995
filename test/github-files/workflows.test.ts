/**
 * Every workflow the project ships (its own CI and the example repository's
 * release and verify workflows, which teams copy) must load on GitHub: each is
 * checked with GitHub's own workflow parser and schema.
 */
import { readRepoFile, root, workflowErrors, workflowFiles } from './github-parsers.js';

const files = workflowFiles(root);

test('the repository and its examples ship workflows (the list is not empty)', () => {
  expect(files).toEqual(expect.arrayContaining([
    '.github/workflows/ci.yml',
    'examples/release-repo/.github/workflows/release-model.yml',
    'examples/release-repo/.github/workflows/verify-audit.yml',
  ]));
});

test.each(files)('%s passes GitHub\'s workflow schema', (file) => {
  expect(workflowErrors(file, readRepoFile(file))).toEqual([]);
});

test('a misspelt step key is an error the check reports with its line', () => {
  const errors = workflowErrors('bad.yml', 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        whith: {}\n');
  expect(errors.join('\n')).toMatch(/Line: 7.*whith/);
});
