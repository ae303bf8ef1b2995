import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { GateError } from '../../src/core/errors.js';
import { formatProblem, parsePolicy, validatePolicy } from '../../src/approval/policy-parse.js';
import { policyText, SERVICENOW_DEFAULTS } from '../helpers/policies.js';

const EXAMPLE = policyText('four-eyes-signed');

const problems = (text: string): string[] => validatePolicy(text).problems.map(formatProblem);

describe('policy file: parsing', () => {
  it('accepts the documented example as written, normalised to one rule', () => {
    const p = parsePolicy(EXAMPLE);
    expect(p.rules).toHaveLength(1);
    expect(p.rules[0]).toMatchObject({
      name: 'release',
      protected_paths: ['models/**', '**/*.pt', '**/metadata.json'],
      minimum_approvers: 2,
      signatures: { required: true, keys: [{ kind: 'github' }] },
      changes_requested_veto: false,
    });
    expect(p.rules[0].roles.map((r) => [r.name, r.teams, r.count])).toEqual([
      ['senior-developer', ['acme/senior-developers'], 1],
      ['risk-manager', ['acme/risk-managers'], 1],
    ]);
    expect(p.allow_commit_authors).toBe(false);
  });

  it('normalises the rules form to the same shape, with top-level defaults', () => {
    const p = parsePolicy(`version: 1
signatures: {keys: [github, "allowed-signers:.github/allowed_signers", "jwks:.github/keys.jwks"]}
changes_requested_veto: true
allow_commit_authors: true
audit: {store: "s3://audit-bucket/acme?retention_days=2557"}
rules:
  - name: production
    protected_paths: ["models/prod/**"]
    roles: [{name: senior, teams: [acme/seniors]}, {name: risk, users: [carol], count: 1}]
    minimum_approvers: 3
    checks:
      metadata: true
      datasets: [training, test]
      lfs_digest: true
      metrics: ["accuracy >= 0.9", "max_drawdown <= 0.2"]
  - name: research
    protected_paths: ["models/research/**"]
    roles: [{name: reviewer, teams: [acme/research]}]
    signatures: {required: false}
    changes_requested_veto: false
`);
    expect(p.rules.map((r) => r.name)).toEqual(['production', 'research']);
    expect(p.rules[0].signatures.keys).toEqual([
      { kind: 'github' },
      { kind: 'allowed-signers', path: '.github/allowed_signers' },
      { kind: 'jwks', path: '.github/keys.jwks' },
    ]);
    expect(p.rules[0]).toMatchObject({ minimum_approvers: 3, changes_requested_veto: true });
    expect(p.rules[0].checks.metrics).toEqual([
      { metric: 'accuracy', op: '>=', value: 0.9, text: 'accuracy >= 0.9' },
      { metric: 'max_drawdown', op: '<=', value: 0.2, text: 'max_drawdown <= 0.2' },
    ]);
    expect(p.rules[1]).toMatchObject({ signatures: { required: false }, changes_requested_veto: false, minimum_approvers: 1 });
    expect(p.audit).toEqual({ stores: ['s3://audit-bucket/acme?retention_days=2557'] });
    expect(p.allow_commit_authors).toBe(true);
  });

  it('requires signatures by default (a policy that says nothing is the strict one)', () => {
    const p = parsePolicy(EXAMPLE.replace(/signatures:[\s\S]*$/, ''));
    expect(p.rules[0].signatures).toEqual({ required: true, keys: [{ kind: 'github' }] });
  });
});

describe('policy file: errors name file, line and column', () => {
  it('a wrong type: the example from the issue', () => {
    expect(problems(EXAMPLE.replace(/count: 1\n(?=signatures)/, 'count: 0\n'))).toEqual([
      '.github/model-release-gate.yml:9:12: roles[1].count: must be an integer >= 1',
    ]);
    expect(problems(EXAMPLE.replace('required: true', 'required: "yes"'))).toEqual([
      '.github/model-release-gate.yml:11:13: signatures.required: must be true or false',
    ]);
  });

  it('an unknown key, at the key, with what is allowed there', () => {
    expect(problems(EXAMPLE.replace('    count: 1\n  - name: risk', '    cuont: 1\n  - name: risk'))).toEqual([
      '.github/model-release-gate.yml:6:5: roles[0].cuont: unknown key (allowed here: name, teams, users, count)',
    ]);
    expect(problems(`${EXAMPLE}reviewers: 2\n`)).toEqual([
      expect.stringMatching(/^\.github\/model-release-gate\.yml:13:1: reviewers: unknown key \(allowed here: version, protected_paths, roles/),
    ]);
  });

  it('a bad glob, at the glob', () => {
    expect(problems(EXAMPLE.replace('"**/*.pt"', '"models/[abc"'))).toEqual([
      '.github/model-release-gate.yml:2:32: protected_paths[1]: not a valid glob: Missing closing: "]" - use "\\\\]" to match literal characters',
    ]);
    expect(problems(EXAMPLE.replace('"**/*.pt"', '"/abs/*.pt"'))[0]).toMatch(/:2:32: protected_paths\[1\]: must be a non-empty glob relative to the repository root/);
    expect(problems(EXAMPLE.replace('"**/*.pt"', '"!models/tmp/**"'))[0]).toMatch(/no ! negation/);
  });

  it('the deployment section: problems at their line and column, defaults when valid', () => {
    const audit = 'audit:\n  store: file://.audit\n';
    expect(problems(`${EXAMPLE}${audit}deployment:\n  environment: production\n`)).toEqual([
      '.github/model-release-gate.yml:16:3: deployment: missing required key "environments"',
      expect.stringMatching(/^\.github\/model-release-gate\.yml:16:3: deployment\.environment: unknown key \(allowed here: environments, checkpoint_key, servicenow\)$/),
    ]);
    expect(problems(`${EXAMPLE}deployment:\n  environments: [{name: production}]\n`)).toEqual([
      '.github/model-release-gate.yml:13:1: deployment: needs audit.store: every deployment decision is recorded there and the MODEL_RELEASE record is looked up there',
    ]);
    const text = `${EXAMPLE}${audit}deployment:
  environments:
    - name: production
      change_request: true
    - name: Production
  servicenow:
    password_env: AWS_SECRET_ACCESS_KEY
`;
    expect(problems(text)).toEqual([
      '.github/model-release-gate.yml:21:19: deployment.servicenow.password_env: must name an environment variable starting with SERVICENOW_ (the policy names variables, never secrets, and cannot point the App at its other secrets)',
    ]);
    expect(problems(text.replace('AWS_SECRET_ACCESS_KEY', 'SERVICENOW_PW').replace('  servicenow:\n', '  servicenow:\n    correlation_id: "x:{run_id}"\n'))).toEqual([
      '.github/model-release-gate.yml:19:13: deployment.environments[1].name: environment "Production" is listed twice',
      '.github/model-release-gate.yml:21:21: deployment.servicenow.correlation_id: unknown placeholder {run_id} (allowed: {repository}, {pull_request}, {model_digest}, {environment})',
    ]);
    expect(problems(`${EXAMPLE}${audit}deployment:\n  environments:\n    - name: prod\n      change_request: true\n`)).toEqual([
      '.github/model-release-gate.yml:18:23: deployment.environments[0].change_request: needs deployment.servicenow (how to reach the change-management system)',
    ]);
    const p = parsePolicy(`${EXAMPLE}${audit}deployment:\n  checkpoint_key: .github/audit.jwk\n  environments:\n    - name: production\n      change_request: true\n    - name: scratch\n      release: false\n  servicenow: {}\n`);
    expect(p.deployment).toEqual({
      environments: [
        { name: 'production', release: true, change_request: true, release_branches: null },
        { name: 'scratch', release: false, change_request: false, release_branches: null },
      ],
      checkpoint_key: '.github/audit.jwk',
      servicenow: SERVICENOW_DEFAULTS,
    });
  });

  it('mixing the shorthand with rules, an empty role, duplicates, bad thresholds and key sources', () => {
    const text = `version: 1
roles: [{name: a, users: [x]}]
rules:
  - name: r
    protected_paths: ["m/**"]
    roles:
      - {name: a}
      - {name: a, users: [bob]}
    checks: {metrics: ["accuracy => 0.9"]}
    signatures: {keys: [gpg]}
  - name: r
    protected_paths: ["n/**"]
    roles: [{name: b, teams: [not-a-team]}]
`;
    expect(problems(text)).toEqual([
      '.github/model-release-gate.yml:2:1: roles: belongs inside a rule when `rules:` is used (move it into each rule)',
      '.github/model-release-gate.yml:9:24: rules[0].checks.metrics[0]: must be a comparison like "accuracy >= 0.9" (operators >=, >, <=, <, ==)',
      '.github/model-release-gate.yml:10:25: rules[0].signatures.keys[0]: must be github, allowed-signers:PATH or jwks:PATH',
      '.github/model-release-gate.yml:13:31: rules[1].roles[0].teams[0]: must be a team as org/team-slug',
    ]);
    const semantic = text.replace('roles: [{name: a, users: [x]}]\n', '').replace('accuracy => 0.9', 'accuracy >= 0.9').replace('[gpg]', '[github]').replace('not-a-team', 'acme/t');
    expect(problems(semantic)).toEqual([
      '.github/model-release-gate.yml:6:9: rules[0].roles[0]: a role needs at least one of teams or users',
      '.github/model-release-gate.yml:7:16: rules[0].roles[1].name: role name "a" is used twice in this rule',
      '.github/model-release-gate.yml:10:11: rules[1].name: rule name "r" is used twice',
    ]);
  });

  it('invalid YAML, a missing version, and neither form', () => {
    expect(problems('version: 1\nroles: [\n')[0]).toMatch(/^\.github\/model-release-gate\.yml:\d+:\d+: not valid YAML/);
    expect(problems('version: 1\nversion: 1\n')[0]).toMatch(/:2:1: not valid YAML: Map keys must be unique/);
    expect(problems('protected_paths: [a]\nroles: [{name: r, users: [u]}]\n')).toEqual([
      '.github/model-release-gate.yml:1:1: missing required key "version"',
    ]);
    expect(problems('version: 1\n')).toEqual(['.github/model-release-gate.yml:1:1: missing protected_paths and roles (or a `rules:` list)']);
    expect(problems('- a\n')[0]).toMatch(/must be a mapping/);
    expect(problems('*!')[0]).toMatch(/^\.github\/model-release-gate\.yml:1:1: not valid YAML: Unresolved alias/);
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n');
    expect(problems(bomb)[0]).toMatch(/not valid YAML: Excessive alias count/);
  });

  it('parsePolicy throws E_POLICY_INVALID with where = file:line:col and every problem in the message', () => {
    let err: unknown;
    try {
      parsePolicy(EXAMPLE.replace('count: 1', 'count: two').replace('required: true', 'required: 1'), 'policy.yml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GateError);
    const g = err as GateError;
    expect(g.code).toBe('E_POLICY_INVALID');
    expect(g.exitCode).toBe(2);
    expect(g.where).toBe('policy.yml:6:12');
    expect(g.message).toBe('roles[0].count: must be an integer >= 1\npolicy.yml:11:13: signatures.required: must be true or false');
  });
});

describe('policy schema', () => {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const schema = JSON.parse(readFileSync(join(root, 'schemas', 'policy.schema.json'), 'utf8'));

  it('is a valid JSON Schema that accepts the example and rejects an unknown key, for editors and other tools', () => {
    const ajv = new Ajv({ strict: false });
    const validate = ajv.compile(schema);
    expect(validate(parseYaml(EXAMPLE))).toBe(true);
    expect(validate({ ...parseYaml(EXAMPLE), extra: 1 })).toBe(false);
  });
});
