/**
 * The files a change to the gate itself touches (what a push to a base branch
 * must change for the App to re-evaluate the pull requests into it): the
 * policy file, and every file the policy names, spelled as repository paths
 * (the same normalised list that makes those files protected).
 */
import { gateFiles } from '../../src/approval/gate-files.js';
import { parsePolicy } from '../../src/approval/policy-parse.js';
import { policyText } from '../helpers/policies.js';

describe('gateFiles', () => {
  it('without a policy: the policy file, in either spelling', () => {
    expect(gateFiles(null).sort()).toEqual(['.github/model-release-gate.yaml', '.github/model-release-gate.yml']);
  });

  it('defect: a ./-spelled checkpoint key was never matched; names the key files and the checkpoint key as repository paths, as a push\'s changed files spell them (./ and trailing segments normalised)', () => {
    const policy = parsePolicy(
      policyText('four-eyes-signed')
        .replace('keys: [github]', 'keys: [github, "allowed-signers:./.github/allowed_signers", "jwks:.github/keys/../approvers.jwks"]')
        .concat('audit:\n  store: file:///tmp/audit\ndeployment:\n  checkpoint_key: ./.github/audit-checkpoint.jwk\n  environments:\n    - name: production\n'),
    );
    expect(gateFiles(policy).sort()).toEqual([
      '.github/allowed_signers',
      '.github/approvers.jwks',
      '.github/audit-checkpoint.jwk',
      '.github/model-release-gate.yaml',
      '.github/model-release-gate.yml',
    ]);
  });
});
