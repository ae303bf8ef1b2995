/**
 * Policies shared by several tests, from test/fixtures/policies/NAME.yml
 * (read from the repository, since the tests run from lib/). The files hold
 * no comments: tests name the line of a problem.
 *
 * - `four-eyes-signed`: one senior developer and one risk manager, each
 *   approval signed with a key GitHub holds for the approver.
 * - `developer-and-risk`: a developer and a risk approver (teams acme/ml,
 *   acme/risk), no signatures: the App's end-to-end scenarios.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'fixtures', 'policies');

/** The text of test/fixtures/policies/NAME.yml. */
export function policyText(name: string): string {
  return readFileSync(join(dir, `${name}.yml`), 'utf8');
}
