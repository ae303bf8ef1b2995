/**
 * Attack (issue 10, item 11): files that decide the gate, unprotected. The
 * policy names an allowed-signers file, a JWKS and the audit checkpoint key;
 * mallory changes one of them (adds her own key for a colleague's login,
 * swaps the checkpoint key) in a pull request that touches no other
 * protected path, and the App must not call it "Not a model release".
 * Through the running App over HTTP, against the GitHub double.
 */
import { gateWorldSuite } from '../helpers/attack-harness.js';

const policy = (dir: string) => `version: 1
protected_paths: ["models/**"]
roles:
  - {name: developer, teams: [acme/ml]}
  - {name: risk, teams: [acme/risk]}
signatures: {keys: ["allowed-signers:.github/allowed_signers", "jwks:.github/approvers.jwks"]}
audit: {store: "file://${dir}/audit"}
deployment:
  environments: [{name: production}]
  checkpoint_key: .github/checkpoint.jwk
`;

describe('attack: files that decide the gate, unprotected', () => {
  const w = gateWorldSuite({
    policy,
    files: {
      '.github/allowed_signers': 'alice ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAmtKq5aTjL7nqdg6RhY5b2kG0S0gKq3c0x8GXQz5f0v alice\n',
      '.github/approvers.jwks': '{"keys": []}\n',
      '.github/checkpoint.jwk': '{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}\n',
    },
    teams: { 'acme/ml': ['alice'], 'acme/risk': ['bob'] },
    people: ['mallory'],
  });

  it.each([
    ['.github/allowed_signers', `alice ${'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMallorysKeyMallorysKeyMallorysKeyMallory'} mallory\n`],
    ['.github/approvers.jwks', '{"keys": [{"kty":"OKP","crv":"Ed25519","x":"mallory","kid":"bob"}]}\n'],
    ['.github/checkpoint.jwk', '{"kty":"OKP","crv":"Ed25519","x":"mallorysCheckpointKeyxxxxxxxxxxxxxxxxxxxxxx"}\n'],
  ])('a pull request changing only %s is a release that needs the approvals', async (path, content) => {
    const number = w.openPull({ [path]: content });
    const run = await w.opened(number);
    expect(run.conclusion).toBe('failure');
    expect(run.output.title).not.toMatch(/Not a model release/);
    expect(run.output.summary).toContain(`Touches \`${path}\``);
    expect(run.output.summary).toMatch(/developer: 1 more approval needed/);
  });
});
