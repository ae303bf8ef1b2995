/**
 * Attack (issue 10, item 8): one key, two accounts. mallory holds two GitHub
 * accounts, mallory-dev (team ml) and mallory-risk (team risk), and one SSH
 * key. She registers it for both (GitHub documents no rule against the same
 * signing key on two accounts, and an allowed-signers line may name two
 * principals), approves her own model change from both accounts, and asks the
 * App to pass it. Through the running App over HTTP, against the GitHub
 * double, with real ssh-keygen signatures.
 */
import { parsePublicKeyLine, fingerprint } from '../../src/approval/ssh-key.js';
import { gateWorldSuite, type GateWorld } from '../helpers/attack-harness.js';

const TEAMS = { 'acme/ml': ['mallory-dev', 'alice'], 'acme/risk': ['mallory-risk', 'bob'] };
const policy = (keys: string) => `version: 1
protected_paths: ["models/**"]
roles:
  - {name: developer, teams: [acme/ml]}
  - {name: risk, teams: [acme/risk]}
signatures: {keys: [${keys}]}
`;
const MODEL_CHANGE = { 'models/fraud/model.onnx': 'mallory weights', 'models/fraud/notes.md': 'trust me' };

/** carol's model change approved by mallory-dev, then mallory-risk, both signing with mallory's key: the last check run and that key's fingerprint. */
async function approvedTwiceWithMalloryKey(w: GateWorld) {
  const number = w.openPull(MODEL_CHANGE, 'carol');
  await w.opened(number);
  await w.approve(number, 'mallory-dev', { signer: 'mallory' });
  const run = await w.approve(number, 'mallory-risk', { signer: 'mallory' });
  return { run, fp: fingerprint(parsePublicKeyLine(w.keys.mallory.publicLine).blob) };
}

describe('attack: one key registered for two accounts fills two roles', () => {
  describe('as GitHub signing keys', () => {
    const w = gateWorldSuite({ policy: policy('github'), teams: TEAMS, people: ['mallory', 'mallory-dev', 'mallory-risk', 'alice', 'bob'], registerKeys: false }, (world) => {
      for (const who of ['mallory-dev', 'mallory-risk']) world.app.gh.addSigningKey(who, world.keys.mallory.publicLine);
      world.app.gh.addSigningKey('alice', world.keys.alice.publicLine);
      world.app.gh.addSigningKey('bob', world.keys.bob.publicLine);
    });

    it('two approvals signed with one key fill one role; the check names the key', async () => {
      const { run, fp } = await approvedTwiceWithMalloryKey(w);
      expect(run.conclusion).toBe('failure');
      expect(run.output.summary).toContain(`key ${fp} signed the approvals of mallory-dev and mallory-risk: one key counts for one approver`);
      expect(run.output.summary).toMatch(/\| @mallory-risk \| APPROVED \|.*\| no \| mallory-risk's approval was signed with key SHA256:\S+, which also signed mallory-dev's/);
    });

    it('two people with their own keys still pass (the defence costs honest reviewers nothing)', async () => {
      const number = w.openPull(MODEL_CHANGE, 'carol');
      await w.opened(number);
      await w.approve(number, 'alice');
      const run = await w.approve(number, 'bob');
      expect(run.conclusion).toBe('success');
    });
  });

  describe('as an allowed-signers line naming two principals', () => {
    const w = gateWorldSuite(
      { policy: policy('"allowed-signers:.github/allowed_signers"'), teams: TEAMS, people: ['mallory', 'mallory-dev', 'mallory-risk', 'bob'], registerKeys: false },
      (world) => {
        // Files on main are fixed when the world starts; add the signers file as a new main commit.
        world.app.gh.commit('acme/models', {
          branch: 'main',
          changes: {
            '.github/allowed_signers': `mallory-dev,mallory-risk ${world.keys.mallory.publicLine}\nmallory,mallory-dev ${world.keys.mallory.publicLine}\nbob ${world.keys.bob.publicLine}\n`,
          },
        });
      },
    );

    it('"mallory-dev,mallory-risk KEY" fills one role, and the check names the key', async () => {
      const { run, fp } = await approvedTwiceWithMalloryKey(w);
      expect(run.conclusion).toBe('failure');
      expect(run.output.summary).toContain(`key ${fp} signed the approvals of mallory-dev and mallory-risk`);
    });

    it("the author's own key behind a second account does not approve the author's model", async () => {
      // mallory opens the pull request; her second account approves with her key; bob approves honestly.
      const number = w.openPull(MODEL_CHANGE, 'mallory');
      await w.opened(number);
      await w.approve(number, 'bob');
      const run = await w.approve(number, 'mallory-dev', { signer: 'mallory' });
      expect(run.conclusion).toBe('failure');
      expect(run.output.summary).toMatch(/mallory-dev's approval was signed with key SHA256:\S+, which is also mallory's \(the pull request's author\): it counts as the author's/);
    });
  });
});
