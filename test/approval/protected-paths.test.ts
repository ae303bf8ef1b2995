/**
 * Which paths make a pull request a release (issue 10, items 11 and 12):
 * every file the policy names is protected like the policy itself, and a
 * protected path cannot escape by its spelling (case, NFD, invisible code
 * points). The App's needs and the evaluator share this one matcher.
 */
import { evaluate, protectedMatcher } from '../../src/approval/evaluate.js';
import { formatProblem, parsePolicy, validatePolicy } from '../../src/approval/policy-parse.js';
import { pathKey, pathMatcher } from '../../src/approval/path-match.js';
import { applicableRules } from '../../src/approval/fact-needs.js';
import { sampleMetadata } from '../lineage/sample-metadata.js';
import { baseFacts, review } from './helpers.js';

const KEYED = parsePolicy(`version: 1
signatures: {keys: [github, "allowed-signers:.github/allowed_signers", "jwks:./keys/approvers.jwks"]}
audit: {store: "file:///var/audit"}
deployment:
  environments: [{name: production}]
  checkpoint_key: keys/checkpoint.jwk
rules:
  - name: production
    protected_paths: ["models/prod/**"]
    roles: [{name: risk, users: [carol]}]
  - name: research
    protected_paths: ["models/research/**"]
    roles: [{name: reviewer, users: [erin]}]
    signatures: {keys: ["jwks:research/keys.jwks"]}
`);

const released = async (policy: ReturnType<typeof parsePolicy>, path: string) =>
  (await evaluate(policy, baseFacts({ changed_files: [path], artifacts: [], reviews: [] }))).release;

describe('attack: files that decide the gate, unprotected', () => {
  it.each([
    ['.github/allowed_signers', 'the allowed-signers file'],
    ['keys/approvers.jwks', 'a JWKS (written ./keys/approvers.jwks in the policy)'],
    ['research/keys.jwks', "another rule's JWKS"],
    ['keys/checkpoint.jwk', 'the checkpoint key'],
  ])('a pull request changing only %s (%s) is a release under every rule', async (path) => {
    expect(await released(KEYED, path)).toBe(true);
    const v = await evaluate(KEYED, baseFacts({ changed_files: [path], artifacts: [], reviews: [] }));
    expect(v.passed).toBe(false);
    expect(v.rules.map((r) => [r.name, r.applies, r.touched])).toEqual([
      ['production', true, [path]],
      ['research', true, [path]],
    ]);
    // The App decides what to gather with the same matcher.
    expect(applicableRules(KEYED, [{ filename: path }]).map((r) => r.name)).toEqual(['production', 'research']);
  });

  it('renaming a key file away counts as touching it', async () => {
    const v = await evaluate(KEYED, baseFacts({ changed_files: [{ filename: 'old/signers', previous_filename: '.github/allowed_signers', status: 'renamed' }], artifacts: [] }));
    expect(v.release).toBe(true);
  });

  it('the normalised policy lists the files it protects besides its globs', () => {
    expect(KEYED.rules.map((r) => r.protected_files)).toEqual([
      ['.github/allowed_signers', 'keys/approvers.jwks', 'keys/checkpoint.jwk', 'research/keys.jwks'],
      ['.github/allowed_signers', 'keys/approvers.jwks', 'keys/checkpoint.jwk', 'research/keys.jwks'],
    ]);
  });

  it('a file named with glob characters is protected as that exact file, not as a pattern', () => {
    const p = parsePolicy(`version: 1
protected_paths: ["models/**"]
roles: [{name: r, users: [carol]}]
signatures: {keys: ["allowed-signers:keys/[team]*.txt"]}
`);
    const m = protectedMatcher(p.rules[0]);
    expect(m('keys/[team]*.txt')).toBe(true);
    expect(m('keys/t.txt')).toBe(false);
  });
});

describe('attack: path spelling', () => {
  const P = parsePolicy(`version: 1
protected_paths: ["models/**", "**/*.pt", "modèles/**"]
roles: [{name: r, users: [carol]}]
signatures: {required: false}
checks: {metadata: true}
`);
  const m = protectedMatcher(P.rules[0]);

  it.each([
    ['Models/Policy.onnx', 'capitals'],
    ['MODELS/fraud/model.onnx', 'all capitals'],
    ['data/weights.PT', 'an upper-case extension'],
    ['mode\u0300les/x.bin', 'NFD (e + combining grave) against an NFC glob'],
    ['MODE\u0300LES/x.bin', 'NFD and capitals'],
    ['mod\u200bels/x.bin', 'a zero-width space inside a directory name'],
    ['models\u00ad/x.bin', 'a soft hyphen'],
    ['.GitHub/Model-Release-Gate.YML', 'the policy file in capitals'],
  ])('%s (%s) is protected', async (path) => {
    expect(m(path)).toBe(true);
    expect(await released(P, path)).toBe(true);
  });

  it('an NFD glob protects the NFC spelling too', () => {
    const nfd = parsePolicy(`version: 1\nprotected_paths: ["mode\u0300les/**"]\nroles: [{name: r, users: [carol]}]\n`);
    expect(protectedMatcher(nfd.rules[0])('modèles/a')).toBe(true);
  });

  it('other names stay unprotected (the matcher is not "anything goes")', () => {
    for (const p of ['docs/models.md', 'modelsx/a', 'data/weights.pth.txt', 'mode/les/x']) expect(m(p)).toBe(false);
  });

  it('a model file with an upper-case extension is checked as a model (metadata.json required beside it)', async () => {
    const v = await evaluate(P, baseFacts({ changed_files: ['models/fraud/WEIGHTS.PT'], artifacts: [], reviews: [review('carol')], metadata: {} }));
    expect(v.passed).toBe(false);
    expect(v.reasons.join('\n')).toMatch(/models\/fraud\/WEIGHTS.PT changed without models\/fraud\/metadata.json/);
    const ok = await evaluate(
      P,
      baseFacts({ changed_files: ['models/fraud/WEIGHTS.PT'], artifacts: [], reviews: [review('carol')], metadata: { 'models/fraud/metadata.json': sampleMetadata() } }),
    );
    expect(ok.reasons.join('\n')).not.toMatch(/changed without/);
  });

  it('pathKey is NFC without invisible code points', () => {
    expect(pathKey('mode\u0300les/a\u200d.pt')).toBe('modèles/a.pt');
    expect(pathKey('Models/A.PT')).toBe('Models/A.PT');
  });
});

describe('defect: a glob whose regular expression is invalid silently protected nothing', () => {
  it('the policy is refused, naming the glob (picomatch would compile it to a never-matching /$^/)', () => {
    const { problems } = validatePolicy('version: 1\nprotected_paths: ["models/**", "models/[z-a]*"]\nroles: [{name: r, users: [carol]}]\n');
    expect(problems.map(formatProblem)).toEqual([
      expect.stringMatching(/^\.github\/model-release-gate\.yml:2:32: protected_paths\[1\]: not a valid glob: .*Range out of order/),
    ]);
  });

  it('a matcher given such a glob anyway matches every path (fail closed: everything is protected)', () => {
    const m = pathMatcher(['models/[z-a]*']);
    expect(m('docs/readme.md')).toBe(true);
  });
});
