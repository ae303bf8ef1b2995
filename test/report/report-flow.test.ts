/**
 * `model-gate report` on a log made by the example's full flow: two releases
 * by the Action's release mode on a copy of examples/release-repo, the App's
 * APPROVAL_VERIFIED and GATE_VERDICT records (made by the App's own
 * gateRecords, approvals signed by the real ssh-keygen),
 * change request and deployment records, and one event type the report does
 * not interpret. Then the report in all three formats, a tampered copy, the
 * period, bad input and escaping.
 */
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAction } from '../helpers/action-runner.js';
import { runCli } from '../../src/cli/program.js';
import { appendRecord, changeRequestRecord, deploymentDecisionRecord, openStore, type AuditStore } from '../../src/audit/index.js';
import { PullRequest, sshKey } from './app-records.js';
import { reportSchemaErrors } from './report-schema.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..'); // lib/test/report → project root
const entry = join(root, 'lib', 'src', 'action', 'index.js');
const example = join(root, 'examples', 'release-repo');
const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
const temp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'mrg-report-'));
  made.push(d);
  return d;
};

const REPO = 'acme-bank/credit-models';
const githubEnv = (ws: string, runId: string) => ({
  GITHUB_WORKSPACE: ws,
  GITHUB_REPOSITORY: REPO,
  GITHUB_SHA: runId === '4242' ? 'a'.repeat(40) : 'b'.repeat(40),
  GITHUB_WORKFLOW: 'release-model',
  GITHUB_RUN_ID: runId,
  GITHUB_ACTOR: 'release-bot',
  GITHUB_SERVER_URL: 'https://github.com',
});
const releaseInputs = {
  model: 'models/credit-risk/model.pt',
  datasets: 'training=data/training\nvalidation=data/validation/holdout.parquet\n',
  hyperparameters: 'config/hyperparameters.json',
  metrics: 'reports/metrics.json',
  'python-environment': 'false',
  'audit-store': '.audit',
};

interface Cli {
  code: number;
  out: string;
  err: string;
}
async function cli(args: string[], cwd: string): Promise<Cli> {
  let out = '';
  let err = '';
  const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t), env: {}, cwd, stderrIsTty: false };
  const code = await runCli(args, io);
  return { code, out, err };
}

interface Release {
  model: string;
  metadata: string;
  datasets: Array<{ name: string; digest: string; rows?: number; type: string; files?: unknown[] }>;
}

let ws: string;
const releases: Release[] = [];
const fingerprints: Record<string, string> = {};

beforeAll(async () => {
  ws = temp();
  cpSync(example, ws, { recursive: true, filter: (src) => !/metadata(\.intoto)?\.json$|\.audit/.test(src) });
  const metadataFile = join(ws, 'models', 'credit-risk', 'metadata.json');
  for (const runId of ['4242', '4243']) {
    if (runId === '4243') {
      // A retrained model: different bytes, so a different digest.
      writeFileSync(join(ws, 'models', 'credit-risk', 'model.pt'), Buffer.concat([readFileSync(join(ws, 'models', 'credit-risk', 'model.pt')), Buffer.from('retrained')]));
    }
    const r = await runAction(entry, releaseInputs, githubEnv(ws, runId));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const meta = JSON.parse(readFileSync(metadataFile, 'utf8'));
    writeFileSync(join(ws, `metadata-${runId}.json`), readFileSync(metadataFile));
    releases.push({ model: r.outputs['model-digest'], metadata: r.outputs['metadata-digest'], datasets: meta.datasets });
  }
  const store = await openStore('.audit', { env: {}, cwd: ws });
  const keyDir = temp();
  const keys = { alice: sshKey('alice', keyDir), bob: sshKey('bob', keyDir), carol: sshKey('carol', keyDir) };
  for (const [k, v] of Object.entries(keys)) fingerprints[k] = v.fingerprint;
  const append = async (records: Array<Parameters<typeof appendRecord>[1]>) => {
    for (const r of records) await appendRecord([store], r);
  };
  const slots = ['prod/senior-developer', 'prod/risk-manager'];
  const model = (rel: Release) => ({ path: 'models/credit-risk/model.pt', digest: rel.model });

  // Release 1: two signed approvals (the App records each, and the verdict turning to success), an approved change, deployed.
  const pr1 = new PullRequest(REPO, 17, 'd'.repeat(40), model(releases[0]), releases[0].metadata);
  await append(pr1.approve({ login: 'alice', id: 1001, slot: 'prod/senior-developer', key: keys.alice }, slots));
  await append(pr1.approve({ login: 'bob', id: 1002, slot: 'prod/risk-manager', key: keys.bob }, slots));
  const subject1 = { modelDigest: releases[0].model as `sha256:${string}`, metadataDigest: releases[0].metadata as `sha256:${string}` };
  const change = { system: 'servicenow', number: 'CHG0030001', sys_id: 'a'.repeat(32), url: 'https://acme.service-now.com/change_request.do?sys_id=' + 'a'.repeat(32), state: '-1', approval: 'approved' };
  await append([
    changeRequestRecord(subject1, change, { component: 'cli', actor: 'release-bot', created: true, repository: REPO }),
    deploymentDecisionRecord(subject1, { environment: 'production', decision: 'approved', reason: 'CHG0030001 is approved (state Implement (-1))', change }, { component: 'github-app', actor: 'model-release-gate[bot]', repository: REPO, deploymentId: '555' }),
  ]);

  // Release 2: one approval only; the gate fails; deployment refused.
  const pr2 = new PullRequest(REPO, 18, 'e'.repeat(40), model(releases[1]), releases[1].metadata);
  await append(pr2.approve({ login: 'carol', id: 1003, slot: 'prod/senior-developer', key: keys.carol }, slots));
  await append([deploymentDecisionRecord({ modelDigest: releases[1].model as `sha256:${string}` }, { environment: 'production', decision: 'rejected', reason: 'the release gate has not passed' }, { component: 'github-app', actor: 'model-release-gate[bot]' })]);

  // An event type the report does not interpret: listed, never dropped.
  await append([{ event_type: 'MODEL_RETIRED', component: 'cli', actor: 'ops', action: 'retire credit-risk v0', subject: [], details: {} }]);
}, 60_000);

describe('model-gate report on the example flow', () => {
  it('JSON: every release with its digests, datasets, approvers (roles, fingerprints), change and deployment; exit 0', async () => {
    const r = await cli(['report', '--store', '.audit', '--format', 'json'], ws);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const m = JSON.parse(r.out);
    expect(m.format).toBe('model-release-gate/report@v1');
    expect(reportSchemaErrors(m)).toEqual([]);
    expect(m.verification).toMatchObject({ ok: true, scope: 'whole-log', size: 12, findings: [] });
    expect(m.log.name).toBe(REPO);
    expect(m.releases).toHaveLength(2);
    const [one, two] = m.releases;
    expect(one.model).toEqual({ path: 'models/credit-risk/model.pt', digest: releases[0].model });
    expect(one.metadata).toEqual({ path: 'models/credit-risk/metadata.json', digest: releases[0].metadata });
    expect(one.datasets.map((d: { digest: string }) => d.digest)).toEqual(releases[0].datasets.map((d) => d.digest));
    expect(one.datasets.map((d: { role: string }) => d.role)).toEqual(['training', 'validation']);
    expect(one.run).toMatchObject({ repository: REPO, run_id: '4242', commit: 'a'.repeat(40), url: `https://github.com/${REPO}/actions/runs/4242` });
    expect(one.approvers).toEqual([
      { login: 'alice', roles: ['prod/senior-developer'], key_fingerprints: [fingerprints.alice] },
      { login: 'bob', roles: ['prod/risk-manager'], key_fingerprints: [fingerprints.bob] },
    ]);
    expect(one.approvals.every((a: { matched_by: string[]; signed: boolean }) => a.signed && a.matched_by.join() === 'model,metadata')).toBe(true);
    expect(one.gate).toBe('success');
    expect(one.verdicts.map((v: { conclusion: string; previous_conclusion: string | null }) => [v.previous_conclusion, v.conclusion])).toEqual([[null, 'failure'], ['failure', 'success']]);
    expect(one.verdicts[1].roles.map((r: { role: string; filled_by: Array<{ login: string }> }) => [r.role, r.filled_by.map((f) => f.login)])).toEqual([['senior-developer', ['alice']], ['risk-manager', ['bob']]]);
    expect(one.approvals.map((a: { pull_request: number; user_id: number; head_sha: string }) => [a.pull_request, a.user_id, a.head_sha])).toEqual([[17, 1001, 'd'.repeat(40)], [17, 1002, 'd'.repeat(40)]]);
    expect(one.change_requests[0]).toMatchObject({ number: 'CHG0030001', approval: 'approved', system: 'servicenow' });
    expect(one.deployments[0]).toMatchObject({ environment: 'production', decision: 'approved', change_number: 'CHG0030001' });
    expect(one.deployed).toBe('approved');
    expect(two.model.digest).toBe(releases[1].model);
    expect(two.model.digest).not.toBe(releases[0].model);
    expect(two.approvers.map((a: { login: string }) => a.login)).toEqual(['carol']);
    expect(two.gate).toBe('failure');
    expect(two.verdicts[0].reasons).toEqual(['role risk-manager needs 1 more approval']);
    expect(two.deployed).toBe('rejected');
    expect(m.appendix.unknown_event_types).toEqual([expect.objectContaining({ event_type: 'MODEL_RETIRED', records: [expect.objectContaining({ seq: 11, actor: 'ops' })] })]);
    const controls = Object.fromEntries(m.controls.map((c: { id: string; status: string }) => [c.id, c.status]));
    expect(controls).toEqual({
      'worm-retention': 'evidence-absent', // a file store has no WORM retention
      'record-integrity': 'evidence-partial', // no checkpoint key
      'two-person-approval': 'evidence-partial', // release 2 has one approver (and was not deployed)
      'model-inventory': 'evidence-present',
      'change-management': 'evidence-present',
      'record-keeping': 'evidence-partial',
    });
    expect(m.disclaimer).toMatch(/does not certify compliance/);
  });

  it('HTML (--out) and Markdown name every release, approver, fingerprint and digest', async () => {
    const html = await cli(['report', '--store', '.audit', '--format', 'html', '--out', 'report.html'], ws);
    expect(html.code).toBe(0);
    expect(html.out).toBe('');
    expect(html.err).toMatch(/wrote html report to report\.html: 2 release\(s\); the log verified/);
    const page = readFileSync(join(ws, 'report.html'), 'utf8');
    const md = await cli(['report', '--store', '.audit', '--format', 'md'], ws);
    expect(md.code).toBe(0);
    for (const text of [page, md.out]) {
      for (const rel of releases) {
        expect(text).toContain(rel.model);
        expect(text).toContain(rel.metadata);
        for (const d of rel.datasets) expect(text).toContain(d.digest);
      }
      for (const login of ['alice', 'bob', 'carol']) expect(text).toContain(login);
      for (const fp of Object.values(fingerprints)) expect(text).toContain(fp);
      expect(text).toContain('CHG0030001');
      expect(text.includes('MODEL_RETIRED') || text.includes('MODEL\\_RETIRED')).toBe(true);
      expect(text).toMatch(/does not certify compliance/);
      expect(text).toMatch(/SEC Rule 17a-4\(f\)|SEC Rule 17a-4\\\(f\\\)/);
    }
    expect(page).toMatch(/^<!DOCTYPE html>/);
    // No checkpoint key: the chain holds but nothing anchors it, so no green banner.
    expect(page).not.toContain('The audit log verified: intact');
    expect(page).toContain('id="unanchored-banner"');
    expect(page).not.toMatch(/<script|<link|src=|@import|url\(http/i);
    expect((page.match(/<svg /g) ?? []).length).toBe(2);
    expect(md.out).toContain('```mermaid\nflowchart LR');
    expect(md.out).not.toContain('CAUTION');
  });

  it('no green banner over an unanchored tail: HTML, Markdown and JSON say which records no checkpoint covers', async () => {
    const copy = temp();
    cpSync(join(ws, '.audit'), join(copy, '.audit'), { recursive: true });
    expect((await cli(['audit', 'keygen', '--out', 'key.jwk'], copy)).code).toBe(0);
    const anchored = ['--checkpoint-key', 'key.pub.jwk'];
    // Unanchored without a key, whatever is stored.
    const html0 = await cli(['report', '--store', '.audit', '--format', 'html'], copy);
    expect(html0.code).toBe(0);
    expect(html0.out).not.toContain('banner ok');
    expect(html0.out).toMatch(/class="banner warn"[^>]*id="unanchored-banner"><strong>The audit log verified, but all 12 records are covered by no signed checkpoint/);
    const body = html0.out.slice(html0.out.indexOf('<main>'));
    expect(body.indexOf('id="unanchored-banner"')).toBeLessThan(body.indexOf('<h1>'));
    const md0 = await cli(['report', '--store', '.audit', '--format', 'md'], copy);
    expect(md0.out.split('\n').slice(0, 2).join('\n')).toMatch(/^> \[!WARNING\]\n> \*\*The audit log verified, but all 12 records are covered by no signed checkpoint/);
    expect(md0.out).not.toContain('✅ **Intact**');
    // A checkpoint at size 12, then one more record: records 12..12 unanchored.
    expect((await cli(['audit', 'checkpoint', '--store', '.audit', '--key', 'key.jwk'], copy)).code).toBe(0);
    expect((await cli(['audit', 'append', '--store', '.audit', '--event-type', 'MODEL_RETIRED', '--actor', 'ops', '--action', 'late'], copy)).code).toBe(0);
    const json1 = JSON.parse((await cli(['report', '--store', '.audit', '--format', 'json', ...anchored], copy)).out);
    expect(reportSchemaErrors(json1)).toEqual([]);
    expect(json1.verification).toMatchObject({ ok: true, status: 'unanchored-tail', anchored_size: 12, size: 13 });
    expect(json1.controls.find((c: { id: string }) => c.id === 'record-integrity').status).toBe('evidence-partial');
    const html1 = await cli(['report', '--store', '.audit', '--format', 'html', ...anchored], copy);
    expect(html1.out).toContain('The audit log verified, but record 12 is covered by no signed checkpoint');
    // Anchored to the end: now, and only now, green.
    expect((await cli(['audit', 'checkpoint', '--store', '.audit', '--key', 'key.jwk'], copy)).code).toBe(0);
    const html2 = await cli(['report', '--store', '.audit', '--format', 'html', ...anchored], copy);
    expect(html2.out).toContain('class="banner ok"');
    expect(html2.out).toContain('The audit log verified: intact');
    expect(html2.out).not.toContain('unanchored-banner');
    const json2 = JSON.parse((await cli(['report', '--store', '.audit', '--format', 'json', ...anchored], copy)).out);
    expect(json2.verification).toMatchObject({ status: 'intact', anchored_size: 13 });
    expect(json2.controls.find((c: { id: string }) => c.id === 'record-integrity').status).toBe('evidence-present');
  });

  it('a tampered log: the report says so at the top in every format and exits 1', async () => {
    const copy = temp();
    cpSync(join(ws, '.audit'), join(copy, '.audit'), { recursive: true });
    const file = join(copy, '.audit', 'entries', readdirSync(join(copy, '.audit', 'entries')).sort()[2]);
    chmodSync(file, 0o644);
    const bytes = readFileSync(file);
    const at = bytes.indexOf(Buffer.from('"actor":"')) + 9;
    bytes[at] = bytes[at] === 0x78 ? 0x79 : 0x78; // still valid JSON, another actor
    writeFileSync(file, bytes);

    const json = await cli(['report', '--store', '.audit', '--format', 'json'], copy);
    expect(json.code).toBe(1);
    const m = JSON.parse(json.out);
    expect(m.verification.ok).toBe(false);
    expect(reportSchemaErrors(m)).toEqual([]);
    expect(m.verification.findings).toEqual([expect.objectContaining({ kind: 'modified', seq: 2 })]);
    expect(m.controls.find((c: { id: string }) => c.id === 'record-integrity').status).toBe('evidence-contradicted');
    expect(json.err).toMatch(/did not verify: 1 finding/);

    const html = await cli(['report', '--store', '.audit', '--format', 'html'], copy);
    expect(html.code).toBe(1);
    const body = html.out.slice(html.out.indexOf('<main>'));
    expect(body.indexOf('id="tamper-banner"')).toBeLessThan(body.indexOf('<h1>'));
    expect(html.out).toContain('WARNING: the audit log did NOT verify');

    const md = await cli(['report', '--store', '.audit', '--format', 'md'], copy);
    expect(md.code).toBe(1);
    expect(md.out.split('\n').slice(0, 2).join('\n')).toMatch(/^> \[!CAUTION\]\n> ⚠️ \*\*WARNING: the audit log did NOT verify: 1 finding/);
  });

  it('two stores: verified against each other; a store that differs is a finding and exit 1', async () => {
    const copy = temp();
    cpSync(join(ws, '.audit'), join(copy, 'a'), { recursive: true });
    cpSync(join(ws, '.audit'), join(copy, 'b'), { recursive: true });
    const both = await cli(['report', '--store', 'a', '--store', 'b', '--format', 'json'], copy);
    expect(both.code).toBe(0);
    const m = JSON.parse(both.out);
    expect(m.log.stores).toEqual(['a', 'b']);
    expect(m.releases).toHaveLength(2);
    // Store b lost its last record: b is short, and the stores disagree.
    const last = join(copy, 'b', 'entries', readdirSync(join(copy, 'b', 'entries')).sort().pop() as string);
    rmSync(last, { force: true });
    const differ = await cli(['report', '--store', 'a', '--store', 'b', '--format', 'json'], copy);
    expect(differ.code).toBe(1);
    const kinds = JSON.parse(differ.out).verification.findings.map((f: { kind: string; store?: string }) => `${f.kind}@${f.store}`);
    expect(kinds).toContain('store-mismatch@b');
  });

  it('--metadata: a metadata.json whose digest the log names adds its datasets\' rows and files; another is noted and not used', async () => {
    writeFileSync(join(ws, 'other.json'), '{"datasets": [{"name": "x", "rows": 1}]}');
    const r = await cli(['report', '--store', '.audit', '--format', 'json', '--metadata', 'metadata-4242.json', '--metadata', 'metadata-4243.json', '--metadata', 'other.json'], ws);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/note: --metadata other\.json \(sha256:[0-9a-f]{64}\) matches no record in the log: not used/);
    const m = JSON.parse(r.out);
    expect(reportSchemaErrors(m)).toEqual([]);
    m.releases.forEach((rel: { metadata_file: string; datasets: Array<{ rows: number | null; files: number | null; digest: string }> }, i: number) => {
      expect(rel.metadata_file).toBe(i === 0 ? 'metadata-4242.json' : 'metadata-4243.json');
      const want = releases[i].datasets.map((d) => ({ digest: d.digest, rows: d.rows ?? null, files: d.type === 'file' ? 1 : (d.files?.length ?? null) }));
      expect(rel.datasets.map((d) => ({ digest: d.digest, rows: d.rows, files: d.files }))).toEqual(want);
      expect(rel.datasets.every((d) => typeof d.rows === 'number' && d.rows > 0)).toBe(true);
    });
    const bad = await cli(['report', '--store', '.audit', '--format', 'json', '--metadata', 'config'], ws);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/cannot read --metadata file/);
  });

  it('period: releases outside it are left out, the verification still covers the whole log', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const later = JSON.parse((await cli(['report', '--store', '.audit', '--format', 'json', '--since', tomorrow], ws)).out);
    expect(later.period.since).toBe(`${tomorrow}T00:00:00.000Z`);
    expect(later.releases).toEqual([]);
    expect(later.summary.records_in_period).toBe(0);
    expect(later.verification).toMatchObject({ ok: true, size: 12 });
    const before = JSON.parse((await cli(['report', '--store', '.audit', '--format', 'json', '--until', '2000-01-01'], ws)).out);
    expect(before.releases).toEqual([]);
    const now = JSON.parse((await cli(['report', '--store', '.audit', '--format', 'json', '--since', today, '--until', tomorrow], ws)).out);
    expect(now.releases).toHaveLength(2);
    expect(now.summary.records_in_period).toBe(12);
  });

  it('with --checkpoint-key: names the signed checkpoint the log was verified against', async () => {
    const copy = temp();
    cpSync(join(ws, '.audit'), join(copy, '.audit'), { recursive: true });
    expect((await cli(['audit', 'keygen', '--out', 'cp.jwk'], copy)).code).toBe(0);
    expect((await cli(['audit', 'checkpoint', '--store', '.audit', '--key', 'cp.jwk'], copy)).code).toBe(0);
    const r = await cli(['report', '--store', '.audit', '--format', 'json', '--checkpoint-key', 'cp.pub.jwk'], copy);
    expect(r.code).toBe(0);
    const m = JSON.parse(r.out);
    const kid = JSON.parse(readFileSync(join(copy, 'cp.pub.jwk'), 'utf8')).kid;
    expect(m.verification.checkpoint).toMatchObject({ size: 12, head: m.verification.head, log: REPO, kid });
    expect(m.verification.checkpoint_keys).toEqual([kid]);
    expect(m.controls.find((c: { id: string }) => c.id === 'record-integrity').status).toBe('evidence-present');
    const md = await cli(['report', '--store', '.audit', '--format', 'md', '--checkpoint-key', 'cp.pub.jwk'], copy);
    expect(md.out).toContain('Verified against the signed checkpoint at size 12');
  });

  it.each([
    [['--format', 'pdf'], /unknown report format "pdf"/],
    [['--format', 'json', '--since', '2026-02-30'], /--since "2026-02-30" is not a date: no such day/],
    [['--format', 'json', '--since', '2026-03-01T10:00:00'], /--since .* is not a date/],
    [['--format', 'json', '--since', '2026-04-01', '--until', '2026-01-01'], /the period is empty/],
    [['--format', 'json', '--checkpoint-key', 'missing.jwk'], /cannot read --checkpoint-key file/],
    [['--format', 'html', '--out', 'no-such-dir/report.html'], /no-such-dir\/report\.html: cannot write the report/],
  ])('bad input %j: exit 2 with a clear message', async (args, message) => {
    const r = await cli(['report', '--store', '.audit', ...args], ws);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });

  it('an unreadable store: exit 2 naming it; no --store or --format: exit 2', async () => {
    const r = await cli(['report', '--store', 'no-such-dir', '--format', 'md'], ws);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no-such-dir: the audit store directory does not exist/);
    expect((await cli(['report', '--format', 'md'], ws)).code).toBe(2);
    expect((await cli(['report', '--store', '.audit'], ws)).code).toBe(2);
  });

  it('escaping: a model path and an approver with markup do not inject into HTML, Markdown or Mermaid', async () => {
    const dir = temp();
    const store: AuditStore = await openStore('log', { env: {}, cwd: dir });
    const evil = '<script>alert(1)</script>"|`]';
    const model = `sha256:${'1'.repeat(64)}` as const;
    await appendRecord([store], { event_type: 'MODEL_RELEASE', component: 'cli', actor: '<img src=x onerror=alert(2)>', action: `release ${evil}`, subject: [model], details: { model: { path: evil, digest: model }, datasets: [{ name: '</text><script>alert(3)</script>', role: 'training', digest: `sha256:${'2'.repeat(64)}` }] } });
    const html = await cli(['report', '--store', 'log', '--format', 'html'], dir);
    expect(html.code).toBe(0);
    expect(html.out).not.toMatch(/<script|<img/i);
    expect(html.out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const md = await cli(['report', '--store', 'log', '--format', 'md'], dir);
    expect(md.out).not.toMatch(/<script|<img/i);
    const mermaid = md.out.slice(md.out.indexOf('```mermaid') + 10, md.out.indexOf('```', md.out.indexOf('```mermaid') + 10));
    for (const line of mermaid.split('\n').filter((l) => /\["|\[\("|\[\["/.test(l))) {
      // Exactly one opening and one closing quote per label, no raw markup inside.
      expect((line.match(/"/g) ?? []).length).toBe(2);
      expect(line.replace(/<br\/>/g, '')).not.toMatch(/[<>`|]/);
    }
    expect(existsSync(join(dir, 'log'))).toBe(true);
  });
});
