/**
 * `model-gate release`: a release made by hand is as strong as one made by
 * the Action. The record it appends equals the Action's for the same inputs
 * (all but `component`, which names the front), the bytes are re-hashed
 * first, and the report names the model from the record, never from the
 * free-text action.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { ACTION_ENTRY, exampleWorkspace, runAction, runnerEnv } from '../helpers/action-runner.js';
import { tempDirs } from '../helpers/temp-dirs.js';
import { modelGate } from '../helpers/cli-harness.js';

const newDir = tempDirs('mrg-release-');

const entry = ACTION_ENTRY;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const workspace = (): string => exampleWorkspace(newDir());
const githubEnv = runnerEnv;

async function cli(argv: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  const r = await modelGate(argv, { cwd, env });
  return { code: r.code, out: r.stdout, err: r.stderr };
}

async function records(store: string, cwd: string): Promise<Json[]> {
  const r = await cli(['audit', 'show', '--store', store, '--json'], cwd);
  expect(r.code).toBe(0);
  const shown = JSON.parse(r.out);
  return (Array.isArray(shown) ? shown : shown.records).map((x: Json) => x.record ?? x);
}

const lineageArgs = ['lineage', 'record', '--model', 'models/credit-risk/model.pt', '--dataset', 'training=data/training',
  '--dataset', 'validation=data/validation/holdout.parquet', '--hyperparameters', 'config/hyperparameters.json',
  '--metrics', 'reports/metrics.json', '--no-python'];

describe('model-gate release', () => {
  test('appends the record the Action appends for the same release (content equal but for the front\'s name)', async () => {
    const ws = workspace();
    const env = githubEnv(ws);
    const action = await runAction(entry, {
      model: 'models/credit-risk/model.pt',
      datasets: 'training=data/training\nvalidation=data/validation/holdout.parquet',
      hyperparameters: 'config/hyperparameters.json',
      metrics: 'reports/metrics.json',
      'python-environment': 'false',
      'audit-store': '.audit-action',
    }, env);
    expect(action.code).toBe(0);
    const r = await cli(['release', '--metadata', 'models/credit-risk/metadata.json', '--store', '.audit-cli', '--json'], ws, env);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const [fromAction] = await records('.audit-action', ws);
    const [fromCli] = await records('.audit-cli', ws);
    const content = ({ time: _t, component, ...rest }: Json) => ({ ...rest, component });
    expect(content(fromCli)).toEqual({ ...content(fromAction), component: 'cli' });
    expect(fromAction.component).toBe('github-action');
    expect(JSON.parse(r.out)).toMatchObject({ seq: 0, digest: expect.stringMatching(/^sha256:/), model_digest: fromAction.details.model.digest, metadata_digest: action.outputs['metadata-digest'] });
  });

  test('outside Actions: actor, repository and commit from the flags', async () => {
    const ws = workspace();
    expect((await cli(lineageArgs, ws)).code).toBe(0);
    const file = join(ws, 'models', 'credit-risk', 'metadata.json');
    const r = await cli(['release', '--metadata', 'models/credit-risk/metadata.json', '--store', '.audit', '--actor', 'alice@acme-bank.example', '--repository', 'acme-bank/credit-models', '--commit', 'b'.repeat(40)], ws);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^released models\/credit-risk\/model\.pt sha256:[0-9a-f]{64}\nappended record 0 sha256:/);
    const [rec] = await records('.audit', ws);
    expect(rec).toMatchObject({
      log: 'acme-bank/credit-models',
      event_type: 'MODEL_RELEASE',
      component: 'cli',
      actor: 'alice@acme-bank.example',
      action: 'release models/credit-risk/model.pt',
      subject: [JSON.parse(readFileSync(file, 'utf8')).model.digest, `sha256:${createHash('sha256').update(readFileSync(file)).digest('hex')}`],
      details: { run: { repository: 'acme-bank/credit-models', commit: 'b'.repeat(40) } },
    });
  });

  test('a model whose bytes changed since lineage record is refused: exit 1, the mismatch listed, nothing appended', async () => {
    const ws = workspace();
    expect((await cli(lineageArgs, ws)).code).toBe(0);
    writeFileSync(join(ws, 'models', 'credit-risk', 'model.pt'), 'other weights');
    const r = await cli(['release', '--metadata', 'models/credit-risk/metadata.json', '--store', '.audit', '--actor', 'alice'], ws);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/model models\/credit-risk\/model\.pt: modified/);
    expect(r.out).toMatch(/nothing was released/);
    expect(existsSync(join(ws, '.audit'))).toBe(false);
  });

  test('without an actor (no --actor, no GITHUB_ACTOR) or with --actor "": exit 2 naming --actor', async () => {
    const ws = workspace();
    expect((await cli(lineageArgs, ws)).code).toBe(0);
    for (const extra of [[], ['--actor', '']]) {
      const r = await cli(['release', '--metadata', 'models/credit-risk/metadata.json', '--store', '.audit', ...extra], ws);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/--actor/);
    }
    expect(existsSync(join(ws, '.audit'))).toBe(false);
  });

  test('the report names the model from the record\'s model path, not from the free-text action', async () => {
    const ws = workspace();
    expect((await cli(lineageArgs, ws)).code).toBe(0);
    expect((await cli(['release', '--metadata', 'models/credit-risk/metadata.json', '--store', '.audit', '--actor', 'alice'], ws)).code).toBe(0);
    // A hand-typed record whose action claims a model it does not record.
    expect((await cli(['audit', 'append', '--store', '.audit', '--event-type', 'MODEL_RELEASE', '--actor', 'mallory',
      '--action', 'release models/prod/approved.onnx', '--subject', `sha256:${'c'.repeat(64)}`], ws)).code).toBe(0);
    const r = await cli(['report', '--store', '.audit', '--format', 'json'], ws);
    expect(r.code).toBe(0);
    const releases = (JSON.parse(r.out) as Json).releases as Json[];
    expect(releases.map((x) => x.model.path)).toEqual(['models/credit-risk/model.pt', null]);
  });
});
