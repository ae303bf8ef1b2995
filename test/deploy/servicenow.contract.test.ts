import { sha256 } from '../../src/core/digest.js';
import { releaseChangeRequest } from '../../src/deploy/release-change.js';
import { ServiceNowChangeManagement, type ServiceNowOptions } from '../../src/deploy/servicenow.js';
import { instanceUrl, parseRetryAfter } from '../../src/deploy/servicenow-http.js';
import { ServiceNowDouble } from '../helpers/servicenow-double.js';
import { gateErrorOf } from '../helpers/gate-error.js';

const MODEL = sha256('model bytes');
const META = sha256('metadata.json bytes');
const TRAIN = sha256('training data');

describe("ServiceNow adapter against a local double of ServiceNow's documented Change Management API", () => {
  let double: ServiceNowDouble;
  let sleeps: number[];

  beforeEach(async () => {
    double = await ServiceNowDouble.start({
      users: {
        'svc-model-gate': { password: 'correct horse', roles: ['sn_change_write'] },
        'svc-reader': { password: 'reader pw', roles: ['sn_change_read'] },
        'svc-nobody': { password: 'nobody pw', roles: [] },
      },
      tokens: { 'oauth-token-1': ['sn_change_read'] },
    });
    sleeps = [];
  });
  afterEach(async () => {
    await double.close();
  });

  function client(over: Partial<ServiceNowOptions> = {}): ServiceNowChangeManagement {
    return new ServiceNowChangeManagement({
      instance: double.url,
      auth: { username: 'svc-model-gate', password: 'correct horse' },
      requestTimeoutMs: 2000,
      // Record the waits instead of waiting: tests assert order, not durations.
      sleep: async (ms) => void sleeps.push(ms),
      ...over,
    });
  }

  const release = releaseChangeRequest({
    short_description: 'Release credit-risk model',
    model: { path: 'models/credit.onnx', digest: MODEL },
    metadata: { path: 'models/metadata.json', digest: META },
    datasets: [{ name: 'train', role: 'training', digest: TRAIN }],
    approvers: ['alice (risk)', 'bob (senior-dev)'],
    repository: 'acme/models',
    commit: 'a'.repeat(40),
    pull_request_url: 'https://github.com/acme/models/pull/7',
    run_url: 'https://github.com/acme/models/actions/runs/99',
  });

  it('opens a Normal change whose body carries the digests, approvers and links, and reads it back', async () => {
    const cm = client();
    const opened = await cm.openChange({ ...release, assignment_group: 'ml-platform', fields: { risk: '3' } });
    expect(opened).toMatchObject({ number: 'CHG0030001', state: '-5', state_label: 'New', approval: 'not requested', created: true });
    expect(opened.sys_id).toMatch(/^[0-9a-f]{32}$/);
    expect(opened.url).toBe(`${double.url}/change_request.do?sys_id=${opened.sys_id}`);

    const post = double.requests[0];
    expect(post).toMatchObject({ method: 'POST', path: '/api/sn_chg_rest/change/normal', auth: 'basic:svc-model-gate' });
    const body = post.body as Record<string, string>;
    for (const text of [MODEL, META, TRAIN, 'alice (risk)', 'bob (senior-dev)', 'https://github.com/acme/models/pull/7', 'https://github.com/acme/models/actions/runs/99']) {
      expect(body.description).toContain(text);
    }
    expect(body.justification).toContain(MODEL);
    expect(body.justification).toContain('alice (risk)');
    expect(body).toMatchObject({ short_description: 'Release credit-risk model', assignment_group: 'ml-platform', risk: '3' });
    expect(body.correlation_id).toMatch(/^model-release-gate:/);

    const bySysId = await cm.getChange(opened.sys_id);
    const byNumber = await cm.getChange('chg0030001');
    const { created, ...stored } = opened;
    expect(created).toBe(true);
    expect(bySysId).toEqual(stored);
    expect(byNumber).toEqual(stored);
    expect(double.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/sn_chg_rest/change/normal',
      `GET /api/sn_chg_rest/change/${opened.sys_id}`,
      'GET /api/sn_chg_rest/change',
    ]);
    expect(double.requests[2].query).toEqual({ sysparm_query: 'number=CHG0030001', sysparm_limit: '1' });
  });

  it('follows the board: approval, schedule window and close code come through', async () => {
    const cm = client();
    const { sys_id } = await cm.openChange(release);
    double.approve(sys_id, '-1');
    double.set(sys_id, { start_date: '2026-11-27 10:00:00', end_date: '2026-11-27 14:00:00' });
    expect(await cm.getChange(sys_id)).toMatchObject({
      state: '-1',
      state_label: 'Implement',
      approval: 'approved',
      start_date: '2026-11-27T10:00:00.000Z',
      end_date: '2026-11-27T14:00:00.000Z',
      close_code: null,
    });
    double.closeChange(sys_id, 'unsuccessful');
    expect(await cm.getChange(sys_id)).toMatchObject({ state: '3', close_code: 'unsuccessful' });
  });

  it('authenticates with an OAuth bearer token', async () => {
    const opened = await client().openChange(release);
    const cm = client({ auth: { token: 'oauth-token-1' } });
    expect((await cm.getChange(opened.number)).sys_id).toBe(opened.sys_id);
    expect(double.requests.at(-1)?.auth).toBe('bearer:oaut');
  });

  it('wrong credentials (401): names the variables to check, exit 2, no retry', async () => {
    const e = await gateErrorOf(client({ auth: { username: 'svc-model-gate', password: 'wrong' } }).openChange(release));
    expect(e.code).toBe('E_SERVICENOW_AUTH');
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain('credentials rejected by ServiceNow: check SERVICENOW_USERNAME/PASSWORD or TOKEN');
    expect(e.message).toContain('User Not Authenticated');
    expect(double.requests).toHaveLength(1);
    expect(double.changes.size).toBe(0);
  });

  it('missing role (403): names the roles the documentation requires', async () => {
    const e = await gateErrorOf(client({ auth: { username: 'svc-reader', password: 'reader pw' } }).openChange(release));
    expect(e.code).toBe('E_SERVICENOW_AUTH');
    expect(e.message).toMatch(/lacks a role \(HTTP 403: User Not Authorized/);
    expect(e.hint).toContain('sn_change_write');
    expect(e.hint).toContain('sn_change_read');
    const e2 = await gateErrorOf(client({ auth: { username: 'svc-nobody', password: 'nobody pw' } }).getChange('CHG0030001'));
    expect(e2.message).toContain('HTTP 403');
  });

  it('unknown change (404 by sys_id, empty result by number): E_SERVICENOW_NOT_FOUND', async () => {
    const e = await gateErrorOf(client().getChange('0'.repeat(32)));
    expect(e.code).toBe('E_SERVICENOW_NOT_FOUND');
    expect(e.message).toContain('No Record found');
    const e2 = await gateErrorOf(client().getChange('CHG0099999'));
    expect(e2.code).toBe('E_SERVICENOW_NOT_FOUND');
    expect(e2.message).toContain('no change request CHG0099999');
    const e3 = await gateErrorOf(client().getChange('not a change'));
    expect(e3.code).toBe('E_USAGE');
  });

  it('an instance without the API (400 "does not represent any resource") is named as such', async () => {
    const cm = client({ instance: `${double.url}/not-servicenow` });
    const e = await gateErrorOf(cm.getChange('0'.repeat(32)));
    expect(e.code).toBe('E_SERVICENOW_NOT_FOUND');
    expect(e.message).toContain('no Change Management API');
  });

  it('429: waits what Retry-After says, then retries', async () => {
    double.failNext({ status: 429, headers: { 'retry-after': '7' } });
    const opened = await client().openChange(release);
    expect(sleeps).toEqual([7000]);
    expect(double.requests.map((r) => [r.method, r.status])).toEqual([
      ['POST', 429],
      ['POST', 200],
    ]);
    expect(double.changes.size).toBe(1);
    expect(opened.number).toBe('CHG0030001');
  });

  it('429 asking for longer than the client will wait fails at once (exit 3)', async () => {
    double.failNext({ status: 429, headers: { 'retry-after': '3600' } });
    const e = await gateErrorOf(client().getChange('0'.repeat(32)));
    expect(e.code).toBe('E_SERVICENOW');
    expect(e.exitCode).toBe(3);
    expect(e.message).toContain('asked to wait 3600 s');
    expect(double.requests).toHaveLength(1);
  });

  it('5xx then success: retried with growing backoff', async () => {
    const { sys_id } = await client().openChange(release);
    double.failNext({ status: 500 }, { status: 502 });
    const got = await client().getChange(sys_id);
    expect(got.sys_id).toBe(sys_id);
    expect(double.requests.slice(1).map((r) => r.status)).toEqual([500, 502, 200]);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[1]).toBeGreaterThan(sleeps[0] / 2); // second wait is drawn from a doubled range
  });

  it('5xx on every attempt: E_SERVICENOW, exit 3, after maxAttempts', async () => {
    double.failNext({ status: 503 }, { status: 503 }, { status: 503 });
    const e = await gateErrorOf(client({ maxAttempts: 3 }).getChange('0'.repeat(32)));
    expect(e.code).toBe('E_SERVICENOW');
    expect(e.exitCode).toBe(3);
    expect(e.message).toMatch(/after 3 attempts: HTTP 503/);
    expect(double.requests).toHaveLength(3);
  });

  it('timeouts: a double slower than the request timeout gives E_SERVICENOW, exit 3', async () => {
    double.failNext({ delayMs: 600 }, { delayMs: 600 });
    const e = await gateErrorOf(client({ requestTimeoutMs: 100, maxAttempts: 2 }).getChange('0'.repeat(32)));
    expect(e.code).toBe('E_SERVICENOW');
    expect(e.exitCode).toBe(3);
    expect(e.message).toMatch(/after 2 attempts: no answer within 100 ms/);
  });

  it('a create whose answer was lost is found by correlation id, not opened twice', async () => {
    double.failNext({ method: 'POST', thenHandle: true, delayMs: 600 });
    const opened = await client({ requestTimeoutMs: 150 }).openChange({ ...release, correlation_id: 'gh-run-99-attempt-1' });
    expect(double.changes.size).toBe(1);
    expect(opened).toMatchObject({ correlation_id: 'gh-run-99-attempt-1', created: true });
    expect(double.requests.map((r) => `${r.method} ${r.path} ${r.query.sysparm_query ?? ''}`)).toEqual([
      'GET /api/sn_chg_rest/change correlation_id=gh-run-99-attempt-1', // none yet
      'POST /api/sn_chg_rest/change/normal ', // created, answer lost
      'GET /api/sn_chg_rest/change correlation_id=gh-run-99-attempt-1', // found
    ]);
  });

  it('opening with a correlation id that already has a change returns that change (a re-run job)', async () => {
    const first = await client().openChange({ ...release, correlation_id: 'github:acme/models:99' });
    double.approve(first.sys_id);
    const again = await client().openChange({ ...release, correlation_id: 'github:acme/models:99' });
    expect(again).toMatchObject({ sys_id: first.sys_id, created: false, approval: 'approved' });
    expect(double.changes.size).toBe(1);
  });

  it('finds the change opened for a release by its correlation id (for the deployment protection rule)', async () => {
    const cm = client();
    expect(await cm.findChange('github:acme/models:run:99')).toBeNull();
    const opened = await cm.openChange({ ...release, correlation_id: 'github:acme/models:run:99' });
    expect((await cm.findChange('github:acme/models:run:99'))?.sys_id).toBe(opened.sys_id);
    await expect(cm.findChange('x^ORnumber!=0')).rejects.toThrow(/unusable correlation id/);
  });

  it('a redirect (an SSO login page) is reported, not followed', async () => {
    double.failNext({ status: 302, headers: { location: 'https://sso.example.com/login' }, body: '' });
    const e = await gateErrorOf(client().getChange('0'.repeat(32)));
    expect(e.message).toContain('redirected');
    expect(e.message).toContain('https://sso.example.com/login');
    expect(e.hint).toContain('SSO');
    expect(double.requests).toHaveLength(1);
  });

  it('a create that fails with its outcome unknown says how to find the change', async () => {
    double.failNext({ method: 'POST', status: 502 }, { method: 'POST', status: 502 });
    const e = await gateErrorOf(client({ maxAttempts: 2 }).openChange(release));
    expect(e.exitCode).toBe(3);
    expect(double.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['POST 502', 'GET 200', 'POST 502', 'GET 200']);
    expect(e.hint).toMatch(/rerun with --correlation-id model-release-gate:[0-9a-f-]+ \(it returns that change/);
  });

  it('a last attempt whose answer was lost still finds the change it created', async () => {
    double.failNext({ method: 'POST', thenHandle: true, delayMs: 600 });
    const opened = await client({ requestTimeoutMs: 150, maxAttempts: 1 }).openChange(release);
    expect(opened.created).toBe(true);
    expect(double.changes.size).toBe(1);
    expect(double.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
  });

  it('a create that failed before any answer is sent again when nothing was created', async () => {
    double.failNext({ method: 'POST', status: 500 });
    await client().openChange(release);
    expect(double.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['POST 500', 'GET 200', 'POST 200']);
    expect(double.changes.size).toBe(1);
  });

  it('reads integer choices sent as JSON numbers with a fraction ("value": -1.0), as instances send them', async () => {
    const raw = `{"result": {"sys_id": {"display_value": "${'b'.repeat(32)}", "value": "${'b'.repeat(32)}"},
      "number": {"display_value": "CHG0040001", "value": "CHG0040001"},
      "state": {"display_value": "Implement", "value": -1.0},
      "approval": {"display_value": "Approved", "value": "approved"},
      "start_date": {"display_value": "2026-11-27 13:00:00", "value": "2026-11-27 12:00:00", "display_value_internal": "2026-11-27 13:00:00"},
      "close_code": {"display_value": "", "value": ""}}}`;
    double.failNext({ status: 200, body: raw });
    expect(await client().getChange('b'.repeat(32))).toMatchObject({
      state: '-1',
      state_label: 'Implement',
      start_date: '2026-11-27T12:00:00.000Z', // the value (UTC), not the user's display time
      close_code: null,
    });
  });

  describe('malformed responses', () => {
    it('missing result', async () => {
      double.failNext({ status: 200, body: '{"records": []}' });
      const e = await gateErrorOf(client().getChange('0'.repeat(32)));
      expect(e.code).toBe('E_SERVICENOW');
      expect(e.message).toContain('lacks a `result` object');
    });
    it('an HTML page (hibernating instance, login page)', async () => {
      double.failNext({ status: 200, headers: { 'content-type': 'text/html' }, body: '<html><body>Your instance is hibernating</body></html>' });
      const e = await gateErrorOf(client().openChange(release));
      expect(e.message).toContain('HTML page instead of JSON');
      expect(e.hint).toContain('hibernating');
      expect(e.exitCode).toBe(3);
    });
    it('a record without state', async () => {
      double.failNext({ status: 200, body: JSON.stringify({ result: { sys_id: { value: 'a'.repeat(32) }, number: { value: 'CHG1' }, approval: { value: 'approved' } } }) });
      const e = await gateErrorOf(client().getChange('a'.repeat(32)));
      expect(e.message).toContain('lacks result.state');
    });
    it('a list answer that is not a list', async () => {
      double.failNext({ status: 200, body: JSON.stringify({ result: {} }) });
      const e = await gateErrorOf(client().getChange('CHG0030001'));
      expect(e.message).toContain('lacks a `result` array');
    });
    it('an unreadable planned date', async () => {
      const { sys_id } = await client().openChange(release);
      double.set(sys_id, { end_date: 'tomorrow' });
      const e = await gateErrorOf(client().getChange(sys_id));
      expect(e.message).toContain('result.end_date is not a date-time');
    });
  });
});

describe('instanceUrl', () => {
  it('expands a bare instance name and keeps https URLs', () => {
    expect(instanceUrl('acme')).toBe('https://acme.service-now.com');
    expect(instanceUrl('acme.service-now.com/')).toBe('https://acme.service-now.com');
    expect(instanceUrl('https://acme.service-now.com')).toBe('https://acme.service-now.com');
    expect(instanceUrl('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
  });
  it('refuses plain http off loopback and URLs with credentials', () => {
    expect(() => instanceUrl('http://acme.service-now.com')).toThrow(/refusing http:/);
    expect(() => instanceUrl('https://u:p@acme.service-now.com')).toThrow(/must not carry credentials/);
    expect(() => instanceUrl('')).toThrow(/no ServiceNow instance/);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('120')).toBe(120_000);
    const now = Date.parse('2026-11-27T12:00:00Z');
    expect(parseRetryAfter('Fri, 27 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
