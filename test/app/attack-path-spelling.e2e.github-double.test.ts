/**
 * Attack (issue 10, item 12): path spelling. The policy protects
 * `models/**`, `**\/*.pt` and `modèles/**`; mallory adds model files whose
 * names differ only in case, in Unicode normalisation (NFD) or by an
 * invisible code point, which a case-insensitive checkout (macOS, Windows)
 * or a loose loader reads as the protected file. The App must treat each as
 * a release. Through the running App over HTTP, against the GitHub double.
 */
import { gateWorldSuite } from '../helpers/attack-harness.js';

const POLICY = `version: 1
protected_paths: ["models/**", "**/*.pt", "modèles/**"]
roles:
  - {name: developer, teams: [acme/ml]}
  - {name: risk, teams: [acme/risk]}
`;

describe('attack: path spelling', () => {
  const w = gateWorldSuite({ policy: POLICY, teams: { 'acme/ml': ['alice'], 'acme/risk': ['bob'] }, people: ['mallory'] });

  it.each([
    ['Models/fraud/model.onnx', 'a capital in models/'],
    ['data/weights.PT', 'an upper-case extension'],
    ['mode\u0300les/fraud/model.onnx', 'NFD spelling of modèles/'],
    ['mod\u200bels/fraud/model.onnx', 'a zero-width space in models/'],
  ])('%s (%s) is a release that needs the approvals', async (path) => {
    const number = w.openPull({ [path]: 'weights' });
    const run = await w.opened(number);
    expect(run.conclusion).toBe('failure');
    expect(run.output.title).not.toMatch(/Not a model release/);
    expect(run.output.summary).toMatch(/developer: 1 more approval needed/);
  });

  it('a path outside the protected globs still is not a release', async () => {
    const number = w.openPull({ 'docs/models.md': 'about the models' });
    const run = await w.opened(number);
    expect(run.conclusion).toBe('success');
    expect(run.output.title).toMatch(/Not a model release/);
  });
});
