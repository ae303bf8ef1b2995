/**
 * Policies shared by several tests, from test/fixtures/policies/NAME.yml
 * (read from the repository, since the tests run from lib/), and the few
 * shapes tests vary. The files hold no comments: tests name the line of a
 * problem.
 *
 * - `four-eyes-signed`: one senior developer and one risk manager, each
 *   approval signed with a key GitHub holds for the approver.
 * - `developer-and-risk`: a developer and a risk approver (teams acme/ml,
 *   acme/risk), no signatures: the App's end-to-end scenarios.
 * - `mallory-alone`: what an attacker commits on a branch of their own: one
 *   approval by mallory, protecting nothing, no signatures.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'fixtures', 'policies');

/** The text of test/fixtures/policies/NAME.yml, then `more` (further top-level keys, e.g. an `audit:` block). */
export function policyText(name: string, more = ''): string {
  return readFileSync(join(dir, `${name}.yml`), 'utf8') + more;
}

/**
 * `developer-and-risk` as one requirement set, `production`, over
 * `protected` (default `models/**`), without signatures, running the
 * automated `checks` (lines under `checks:`, e.g. `lfs_digest: true`).
 */
export function checkedPolicy(checks: string[], protectedPaths = 'models/**'): string {
  return `version: 1
rules:
  - name: production
    protected_paths: ["${protectedPaths}"]
    roles:
      - name: developer
        teams: [acme/ml]
      - name: risk
        teams: [acme/risk]
    signatures:
      required: false
    checks:
${checks.map((c) => `      ${c}\n`).join('')}`;
}

/**
 * Two requirement sets, no signatures: `production` (a senior developer and
 * a risk manager for `models/prod/**`, then the lines `production` adds to
 * the rule, e.g. `checks: {metadata: true}`) and `research` (for
 * `models/research/**`, approved by `research`, a YAML flow list of roles).
 */
export function productionAndResearch(o: { production?: string[]; research?: string } = {}): string {
  return `version: 1
signatures: {required: false}
rules:
  - name: production
    protected_paths: ["models/prod/**"]
    roles:
      - {name: senior-developer, teams: [acme/senior-developers]}
      - {name: risk-manager, teams: [acme/risk-managers]}
${(o.production ?? []).map((l) => `    ${l}\n`).join('')}  - name: research
    protected_paths: ["models/research/**"]
    roles: ${o.research ?? '[{name: reviewer, users: [erin]}]'}
`;
}

/** The `servicenow:` block a policy gets when it names none of its settings (docs/policy.md). */
export const SERVICENOW_DEFAULTS = {
  instance_env: 'SERVICENOW_INSTANCE',
  username_env: 'SERVICENOW_USERNAME',
  password_env: 'SERVICENOW_PASSWORD',
  token_env: 'SERVICENOW_TOKEN',
  correlation_id: 'github:{repository}:pr:{pull_request}',
  enforce_window: true,
};
