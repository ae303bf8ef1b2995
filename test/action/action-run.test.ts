import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { ACTION_ENTRY, exampleWorkspace, ROOT, runAction, runnerEnv } from '../helpers/action-runner.js';
import { runCli } from '../../src/cli/program.js';
import { tempDirs } from '../helpers/temp-dirs.js';
import { openStore } from '../../src/audit/open-store.js';
import { MAX_INDEX_SLOTS, indexKey, subjectIndexName } from '../../src/audit/tlog/record-index.js';

const newDir = tempDirs('mrg-ws-');

const entry = ACTION_ENTRY;
const workspace = (): string => exampleWorkspace(newDir());

const releaseInputs = {
  model: 'models/credit-risk/model.pt',
  datasets: 'training=data/training\n# a comment line\nvalidation=data/validation/holdout.parquet\n',
  hyperparameters: 'config/hyperparameters.json',
  metrics: 'reports/metrics.json',
  // pip list costs seconds per run; one test below keeps the default.
  'python-environment': 'false',
};

const githubEnv = (ws: string) => ({ ...runnerEnv(ws), GITHUB_TRIGGERING_ACTOR: 'release-bot' });

const sha256File = (p: string) => `sha256:${createHash('sha256').update(readFileSync(p)).digest('hex')}`;

describe('the Action run() with inputs as the runner passes them', () => {
  it('release: writes metadata.json, appends a MODEL_RELEASE record, sets outputs and a job summary', async () => {
    const ws = workspace();
    const { 'python-environment': _off, ...defaults } = releaseInputs;
    const r = await runAction(entry, { ...defaults, 'audit-store': '.audit' }, githubEnv(ws));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const metadataPath = join(ws, 'models', 'credit-risk', 'metadata.json');
    const metadata = JSON.parse(readFileSync(metadataPath, 'utf8'));
    expect(r.outputs['model-digest']).toBe(sha256File(join(ws, 'models', 'credit-risk', 'model.pt')));
    expect(r.outputs['model-digest']).toBe(metadata.model.digest);
    expect(r.outputs['metadata-path']).toBe('models/credit-risk/metadata.json');
    expect(r.outputs['metadata-digest']).toBe(sha256File(metadataPath));
    expect(r.outputs['reproducibility-digest']).toBe(metadata.reproducibility_digest);
    expect(r.outputs['audit-seq']).toBe('0');
    expect(metadata.source).toEqual({
      repository: 'acme-bank/credit-models',
      commit: 'a'.repeat(40),
      workflow: 'release-model',
      run_id: '4242',
      run_url: 'https://github.com/acme-bank/credit-models/actions/runs/4242',
      actor: 'release-bot',
      triggering_actor: 'release-bot',
    });
    expect(metadata.datasets.map((d: { role: string }) => d.role)).toEqual(['training', 'validation']);
    expect(r.summary).toContain(metadata.model.digest);
    expect(r.summary).toContain('| `data/validation/holdout.parquet` | validation |');
    expect(r.summary).toContain('| 400 |');

    // The record is in the log, chained, with the model and metadata digests as subjects.
    const lines: string[] = [];
    const io = { stdout: (t: string) => void lines.push(t), stderr: () => undefined, env: {}, cwd: ws, stderrIsTty: false };
    expect(await runCli(['audit', 'show', '--store', '.audit', '--json'], io)).toBe(0);
    const shown = JSON.parse(lines.join(''));
    const records = Array.isArray(shown) ? shown : shown.records;
    const rec = records[0].record ?? records[0];
    expect(rec.event_type).toBe('MODEL_RELEASE');
    expect(rec.log).toBe('acme-bank/credit-models');
    expect(rec.subject).toEqual([metadata.model.digest, r.outputs['metadata-digest']]);
    expect(rec.details.run.url).toBe('https://github.com/acme-bank/credit-models/actions/runs/4242');

    // A second release appends the next record; verify-audit mode finds the chain intact but,
    // with no checkpoint key anywhere, anchored by nothing, and says so.
    const again = await runAction(entry, { ...releaseInputs, 'audit-store': '.audit' }, githubEnv(ws));
    expect(again.code).toBe(0);
    expect(again.outputs['audit-seq']).toBe('1');
    const verified = await runAction(entry, { mode: 'verify-audit', 'audit-store': '.audit' }, githubEnv(ws));
    expect(verified.code).toBe(0);
    expect(verified.outputs['audit-size']).toBe('2');
    expect(verified.summary).not.toContain('**Intact**');
    expect(verified.summary).toContain('**Unanchored tail**: the chain of 2 record(s) verified');
    expect(verified.summary).toContain('records 0 to 1 are covered by no signed checkpoint');
  });

  it('defect: a release the record index cannot take (every slot of its model taken) was appended silently; now it warns and still succeeds', async () => {
    const ws = workspace();
    const first = await runAction(entry, { ...releaseInputs, 'audit-store': '.audit' }, githubEnv(ws));
    expect(first.code).toBe(0);
    // Slot 0 names the first release; someone who can write the store takes the rest.
    const store = await openStore(join(ws, '.audit'), { env: {} });
    const name = subjectIndexName(first.outputs['model-digest']!);
    for (let i = 1; i < MAX_INDEX_SLOTS; i++) await store.create(indexKey(name, i), Buffer.from('99\n'));
    const second = await runAction(entry, { ...releaseInputs, 'audit-store': '.audit' }, githubEnv(ws));
    expect(second.code).toBe(0);
    expect(second.outputs['audit-seq']).toBe('1');
    expect(second.stdout).toMatch(/::warning::record 1 is appended, but the record index could not take it: .*every index slot of subject:sha256:[0-9a-f]{64} is taken\. the deployment rule then verifies the whole log/);
    expect(first.stdout).not.toContain('record index could not take it');
  });

  it('release with a checkpoint key signs a checkpoint after every append, so verify-audit reads intact', async () => {
    const ws = workspace();
    const { generateCheckpointKeyPair } = await import('../../src/audit/checkpoint.js');
    const pair = await generateCheckpointKeyPair();
    const signed = { ...releaseInputs, 'audit-store': '.audit', 'checkpoint-key': JSON.stringify(pair.privateJwk) };
    for (let i = 0; i < 2; i++) {
      const r = await runAction(entry, signed, githubEnv(ws));
      expect(r.code).toBe(0);
      expect(r.outputs['checkpoint-digest']).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(existsSync(join(ws, '.audit', 'checkpoints', `${String(i + 1).padStart(20, '0')}.jws`))).toBe(true);
      // The release's receipt: a tlog-proof beside metadata.json, in the summary, checkable offline with the vkey output.
      expect(r.outputs['audit-proof']).toBe('models/credit-risk/metadata.tlog-proof');
      expect(r.summary).toContain('c2sp.org/tlog-proof@v1');
      const { runCli } = await import('../../src/cli/program.js');
      let out = '';
      const code = await runCli(
        ['audit', 'check-proof', r.outputs['audit-proof'], '--record', join('.audit', 'entries', `${String(i).padStart(20, '0')}.json`), '--key', r.outputs['audit-vkey'], '--json'],
        { stdout: (t) => void (out += t), stderr: () => undefined, env: {}, cwd: ws, stderrIsTty: false },
      );
      expect(code).toBe(0);
      expect(JSON.parse(out)).toMatchObject({ ok: true, index: i, size: i + 1, log: 'acme-bank/credit-models' });
    }
    const verified = await runAction(entry, { mode: 'verify-audit', 'audit-store': '.audit', 'checkpoint-public-key': JSON.stringify(pair.publicJwk) }, githubEnv(ws));
    expect(verified.code).toBe(0);
    expect(verified.summary).toContain('**Intact**: 2 record(s)');
    expect(verified.summary).toContain('anchored by the signed checkpoint at size 2');
  });

  it('verify-lineage: fails with exit 1 and names the changed file when a dataset byte changes', async () => {
    const ws = workspace();
    const rec = await runAction(entry, releaseInputs, githubEnv(ws));
    expect(rec.code).toBe(0);
    const ok = await runAction(entry, { mode: 'verify-lineage', 'metadata-path': 'models/credit-risk/metadata.json' }, githubEnv(ws));
    expect(ok.code).toBe(0);
    expect(ok.summary).toContain('Every digest');

    const part = join(ws, 'data', 'training', 'part-001.csv');
    const bytes = readFileSync(part);
    bytes[bytes.length - 2] ^= 1;
    writeFileSync(part, bytes);
    const bad = await runAction(entry, { mode: 'verify-lineage', 'metadata-path': 'models/credit-risk/metadata.json' }, githubEnv(ws));
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('::error::');
    expect(bad.summary).toContain('`part-001.csv`');
  });

  it('refuses a missing model input with exit 2, naming the input, and writes nothing', async () => {
    const ws = workspace();
    const r = await runAction(entry, { datasets: 'training=data/training', 'audit-store': '.audit' }, githubEnv(ws));
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/::error::.*model/);
    expect(existsSync(join(ws, '.audit'))).toBe(false);
  });

  it('refuses a malformed dataset line with exit 2, naming the input and the line, before hashing', async () => {
    const ws = workspace();
    const r = await runAction(entry, { ...releaseInputs, datasets: 'training=data/training\ntrainig=data/x.csv' }, githubEnv(ws));
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/::error::input "datasets": line 2: bad dataset/);
    expect(existsSync(join(ws, 'models', 'credit-risk', 'metadata.json'))).toBe(false);
  });

  it('verify-audit: a tampered record fails the step with exit 1 and lists the finding', async () => {
    const ws = workspace();
    for (let i = 0; i < 3; i++) expect((await runAction(entry, { ...releaseInputs, 'audit-store': '.audit' }, githubEnv(ws))).code).toBe(0);
    const entryFile = join(ws, '.audit', 'entries', `${'1'.padStart(20, '0')}.json`);
    const { chmodSync } = await import('node:fs');
    chmodSync(entryFile, 0o644);
    writeFileSync(entryFile, readFileSync(entryFile, 'utf8').replace('release-bot', 'someone-else'));
    const r = await runAction(entry, { mode: 'verify-audit', 'audit-store': '.audit' }, githubEnv(ws));
    expect(r.code).toBe(1);
    expect(r.summary).toMatch(/finding/);
    expect(r.stdout).toMatch(/::error::(modified at seq 1|broken-link at seq 2)/);
  });
});

describe('the committed bundle dist/index.js (what GitHub runs)', () => {
  const bundle = join(ROOT, 'dist', 'index.js');
  it('runs a release on the example, hashing the dataset directory on its worker threads', async () => {
    const ws = workspace();
    const r = await runAction(bundle, { ...releaseInputs, 'audit-store': '.audit' }, githubEnv(ws));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const metadata = JSON.parse(readFileSync(join(ws, 'models', 'credit-risk', 'metadata.json'), 'utf8'));
    expect(metadata.datasets[0]).toMatchObject({ role: 'training', type: 'directory', rows: 1200 });
    expect(r.outputs['audit-seq']).toBe('0');
  });
});
