import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '../../../src/core/digest.js';
import { runCli } from '../../../src/cli/program.js';
import type { CliIo } from '../../../src/cli/io.js';
import { connectionFrom } from '../../../src/cli/commands/change.js';
import { ServiceNowDouble } from '../../helpers/servicenow-double.js';

const MODEL = sha256('model');
const TRAIN = sha256('train');

function io(env: Record<string, string | undefined>, cwd = process.cwd()): CliIo & { out: string; err: string } {
  const o = {
    out: '',
    err: '',
    stdout: (t: string) => void (o.out += t),
    stderr: (t: string) => void (o.err += t),
    env,
    cwd,
    stderrIsTty: false,
  };
  return o;
}

describe("model-gate change (CLI) against a local double of ServiceNow's documented Change Management API", () => {
  let double: ServiceNowDouble;
  let dir: string;
  let env: Record<string, string>;

  beforeEach(async () => {
    double = await ServiceNowDouble.start({
      users: { 'svc-model-gate': { password: 'correct horse', roles: ['sn_change_write'] } },
      tokens: { 'tok-read': ['sn_change_read'] },
    });
    dir = await mkdtemp(join(tmpdir(), 'mrg-change-'));
    env = { SERVICENOW_INSTANCE: double.url, SERVICENOW_USERNAME: 'svc-model-gate', SERVICENOW_PASSWORD: 'correct horse' };
  });
  afterEach(async () => {
    await double.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function open(extra: string[] = []): Promise<{ sys_id: string; number: string }> {
    const t = io(env, dir);
    expect(await runCli(['change', 'open', '--short-description', 'Release model', '--json', ...extra], t)).toBe(0);
    return JSON.parse(t.out).change;
  }

  it('open: carries the metadata digest, model, datasets, approvers and links; prints JSON on stdout only', async () => {
    const metadata = JSON.stringify({
      schema: 'x',
      model: { path: 'models/credit.onnx', digest: MODEL, size: 5 },
      datasets: [{ name: 'train', role: 'training', path: 'data/train.csv', digest: TRAIN }],
      source: { repository: 'acme/models', commit: 'b'.repeat(40) },
    });
    await writeFile(join(dir, 'metadata.json'), metadata);
    const t = io(env, dir);
    const code = await runCli(
      ['change', 'open', '--short-description', 'Release credit model', '--metadata', 'metadata.json',
        '--model-digest', MODEL, '--approver', 'alice (risk)', '--approver', 'bob',
        '--pr-url', 'https://github.com/acme/models/pull/7', '--run-url', 'https://github.com/acme/models/actions/runs/9',
        '--field', 'assignment_group=ml-platform', '--json'],
      t,
    );
    expect(t.err).toBe('');
    expect(code).toBe(0);
    const { change } = JSON.parse(t.out);
    expect(change).toMatchObject({ number: 'CHG0030001', state: '-5', approval: 'not requested' });
    const body = double.requests[0].body as Record<string, string>;
    for (const s of [MODEL, TRAIN, sha256(metadata), 'alice (risk)', 'bob', 'pull/7', 'runs/9', 'acme/models']) {
      expect(body.description).toContain(s);
    }
    expect(body.assignment_group).toBe('ml-platform');
  });

  it('open: a model digest that contradicts metadata.json is refused before anything is sent', async () => {
    await writeFile(join(dir, 'metadata.json'), JSON.stringify({ model: { digest: MODEL } }));
    const t = io(env, dir);
    const code = await runCli(['change', 'open', '--short-description', 'x', '--metadata', 'metadata.json', '--model-digest', TRAIN], t);
    expect(code).toBe(1);
    expect(t.err).toContain('differs from model.digest');
    expect(double.requests).toHaveLength(0);
  });

  it('open --correlation-id twice (a re-run job) reuses the change', async () => {
    const first = await open(['--correlation-id', 'github:acme/models:run-9']);
    const t = io(env, dir);
    expect(await runCli(['change', 'open', '--short-description', 'Release model', '--correlation-id', 'github:acme/models:run-9'], t)).toBe(0);
    expect(t.out).toContain(`reused (correlation id github:acme/models:run-9) ${first.number}`);
    expect(double.changes.size).toBe(1);
  });

  it('status: exit 1 while pending, 0 once approved, 1 once rejected', async () => {
    const { sys_id, number } = await open();
    double.request(sys_id);
    let t = io(env);
    expect(await runCli(['change', 'status', number], t)).toBe(1);
    expect(t.out).toContain(`${number}: pending`);
    expect(t.out).toContain('awaiting approval');

    double.approve(sys_id, '-1');
    t = io(env);
    expect(await runCli(['change', 'status', sys_id, '--json'], t)).toBe(0);
    const status = JSON.parse(t.out);
    expect(status.decision.state).toBe('approved');
    expect(status.change.number).toBe(number);

    double.cancel(sys_id);
    t = io(env);
    expect(await runCli(['change', 'status', number], t)).toBe(1);
    expect(t.out).toContain('rejected');
  });

  it('status --wait: polls until the board approves', async () => {
    const { sys_id, number } = await open();
    double.request(sys_id);
    let reads = 0;
    double.onRequest = () => {
      if (++reads === 2) double.approve(sys_id);
    };
    const t = io(env);
    const code = await runCli(['change', 'status', number, '--wait', '20', '--poll', '0.05', '--json'], t);
    expect(code).toBe(0);
    const out = JSON.parse(t.out);
    expect(out).toMatchObject({ polls: 3, timed_out: false, decision: { state: 'approved' } });
    expect(t.err).toContain('waiting: ');
  });

  it('status --wait: still pending at the timeout is exit 1, timed_out true', async () => {
    const { sys_id, number } = await open();
    double.request(sys_id);
    const t = io(env);
    const code = await runCli(['change', 'status', number, '--wait', '0.3', '--poll', '0.1', '--json'], t);
    expect(code).toBe(1);
    expect(JSON.parse(t.out)).toMatchObject({ timed_out: true, decision: { state: 'pending' } });
  });

  it('reads with a bearer token named by --token-env', async () => {
    const { number } = await open();
    const t = io({ SERVICENOW_INSTANCE: double.url, MY_TOKEN: 'tok-read' });
    expect(await runCli(['change', 'status', number, '--token-env', 'MY_TOKEN'], t)).toBe(1);
    expect(double.requests.at(-1)?.auth).toBe('bearer:tok-');
  });

  it('exit 2: wrong password, unknown change, missing credentials, bad flags', async () => {
    let t = io({ ...env, SERVICENOW_PASSWORD: 'wrong-secret-pw' });
    expect(await runCli(['change', 'status', 'CHG0030001'], t)).toBe(2);
    expect(t.err).toContain('credentials rejected by ServiceNow');
    expect(t.err + t.out).not.toContain('wrong-secret-pw');
    expect(t.err + t.out).not.toContain(Buffer.from('svc-model-gate:wrong-secret-pw').toString('base64'));

    t = io(env);
    expect(await runCli(['change', 'status', 'CHG0099999'], t)).toBe(2);
    expect(t.err).toContain('no change request CHG0099999');

    t = io({ SERVICENOW_INSTANCE: double.url });
    expect(await runCli(['change', 'status', 'CHG0030001'], t)).toBe(2);
    expect(t.err).toContain('no ServiceNow credentials');

    t = io({ SERVICENOW_INSTANCE: double.url, SERVICENOW_USERNAME: 'svc-model-gate' });
    expect(await runCli(['change', 'status', 'CHG0030001', '--password-env', 'SN_PW'], t)).toBe(2);
    expect(t.err).toContain('environment variable SN_PW is not set');

    t = io(env);
    expect(await runCli(['change', 'status', 'CHG0030001', '--wait', 'soon'], t)).toBe(2);
    expect(await runCli(['change', 'open'], io(env))).toBe(2); // --short-description is required
    expect(await runCli(['change', 'open', '--short-description', 'x', '--field', 'novalue'], io(env))).toBe(2);
  });

  it('exit 3: ServiceNow failing on every attempt', async () => {
    double.failNext({ status: 503 }, { status: 503 });
    const t = io(env);
    expect(await runCli(['change', 'status', 'CHG0030001', '--max-attempts', '2'], t)).toBe(3);
    expect(t.err).toMatch(/after 2 attempts: HTTP 503/);
  });

  it('has no option that takes a secret', async () => {
    const t = io(env);
    await runCli(['change', 'open', '--help'], t);
    await runCli(['change', 'status', '--help'], t);
    expect(t.out).toContain('--password-env <var>');
    expect(t.out).not.toMatch(/--password </);
    expect(t.out).not.toMatch(/--token </);
  });
});

describe('connectionFrom', () => {
  it('prefers an explicit token variable, then basic auth, then SERVICENOW_TOKEN', () => {
    const base = { SERVICENOW_INSTANCE: 'acme' };
    expect(connectionFrom({ tokenEnv: 'T' }, { ...base, T: 'x', SERVICENOW_USERNAME: 'u' }).auth).toEqual({ token: 'x' });
    expect(connectionFrom({}, { ...base, SERVICENOW_USERNAME: 'u', SERVICENOW_PASSWORD: 'p', SERVICENOW_TOKEN: 't' }).auth).toEqual({ username: 'u', password: 'p' });
    expect(connectionFrom({}, { ...base, SERVICENOW_TOKEN: 't' }).auth).toEqual({ token: 't' });
    expect(() => connectionFrom({ tokenEnv: 'T', user: 'u' }, { ...base, T: 'x' })).toThrow(/cannot be combined/);
    expect(() => connectionFrom({}, {})).toThrow(/no ServiceNow instance/);
  });
});
