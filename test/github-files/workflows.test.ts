/**
 * Every workflow the project ships (its own CI and the example repository's
 * release and verify workflows, which teams copy) must load on GitHub: each is
 * checked with GitHub's own workflow parser and schema.
 */
import { parse } from 'yaml';
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

describe('the example repository\'s release loop', () => {
  const wf = (name: string) => parse(readRepoFile(`examples/release-repo/.github/workflows/${name}`)) as Workflow;

  test('the release workflow keeps its evidence: open-pr commits metadata.json, with the permissions that needs', () => {
    const release = wf('release-model.yml');
    const gate = Object.values(release.jobs).flatMap((j) => j.steps ?? []).find((s) => s.uses?.startsWith('model-release-gate/model-release-gate@'));
    expect(gate?.with).toMatchObject({ 'open-pr': true, model: 'models/credit-risk/model.pt' });
    expect(gate?.with?.['checkpoint-key']).toBeDefined();
    expect(release.permissions).toMatchObject({ contents: 'write', 'pull-requests': 'write', 'id-token': 'write' });
  });

  test('the deploy workflow targets the environment the example policy guards', () => {
    const policy = parse(readRepoFile('examples/release-repo/.github/model-release-gate.yml')) as { deployment: { environments: { name: string }[]; checkpoint_key: string } };
    const deploy = wf('deploy-model.yml');
    const envs = Object.values(deploy.jobs).map((j) => j.environment);
    expect(envs).toContain('production');
    expect(policy.deployment.environments.map((e) => e.name)).toContain('production');
    expect(() => readRepoFile(`examples/release-repo/${policy.deployment.checkpoint_key}`)).not.toThrow();
  });

  test('every workflow uses the Action by the project\'s own name', () => {
    for (const file of files.filter((f) => f.startsWith('examples/'))) {
      for (const m of readRepoFile(file).matchAll(/uses:\s*(\S*model-release-gate@\S+)/g)) expect(m[1]).toMatch(/^model-release-gate\/model-release-gate@v\d+$/);
    }
  });
});

interface Workflow {
  permissions?: Record<string, string>;
  jobs: Record<string, { environment?: string; steps?: { uses?: string; with?: Record<string, unknown> }[] }>;
}
