// Append and stream in one step, with Kafka up and with Kafka down: the append
// never depends on Kafka (bounded wait, success, a warning), and the next
// append or `audit stream` run publishes what the topic lacks. Through the
// CLI, the Action (as the runner starts it) and the App's streamer. The
// cluster is this file's own: taking it down must not touch other files' tests.
import { cpSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FileStore } from '../../../src/audit/stores/file-store.js';
import { appStreamerFromEnv } from '../../../src/audit/stream/front-config.js';
import { runAction } from '../../helpers/action-runner.js';
import { runCliChild as gate, ROOT, control, describeKafka, kcatRead, sameStream, uniqueTopic, type KafkaEnv } from '../../helpers/kafka.js';
import { tempDirs } from '../temp-dir.js';

const storeRecords = (dir: string): Buffer[] =>
  readdirSync(join(dir, 'entries')).sort().map((f) => readFileSync(join(dir, 'entries', f)));

describeKafka('append, then stream: a Kafka outage never fails or holds an append', (k: KafkaEnv) => {
  const tmp = tempDirs();
  const allDown = async (): Promise<void> => {
    for (const b of [1, 2, 3]) await control(k, `down ${b}`);
  };
  const allUp = async (): Promise<void> => {
    for (const b of [1, 2, 3]) await control(k, `up ${b}`);
  };
  afterEach(allUp);

  it('CLI: with Kafka up the record is published at once; with Kafka down the append succeeds within --kafka-timeout and the next stream catches up', async () => {
    const dir = tmp();
    const topic = uniqueTopic('append');
    const append = (action: string, extra: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> =>
      gate(['audit', 'append', '--store', dir, '--event-type', 'MODEL_RELEASE', '--actor', 'alice', '--action', action, '--log', 'acme/credit', '--kafka', k.brokers, '--topic', topic, '--json', ...extra]);

    const up = await append('release 1');
    expect(up.code).toBe(0);
    expect(JSON.parse(up.stdout)).toMatchObject({ seq: 0, stream: { ok: true, last: 0, published: 1 } });

    await allDown();
    const down = await append('release 2', ['--kafka-timeout', '2']);
    expect(down.code).toBe(0);
    expect(down.ms).toBeLessThan(up.ms + 2000 + 3000); // the bound, plus slack for a loaded machine
    const out = JSON.parse(down.stdout);
    expect(out).toMatchObject({ seq: 1, stream: { ok: false } });
    expect(down.stderr).toMatch(/warning: record 1 is appended, but it is not yet in kafka:\/\/.*\n  hint: the next append or `model-gate audit stream` publishes it/);
    expect(storeRecords(dir).length).toBe(2);
    await allUp();

    const caught = await gate(['audit', 'stream', '--store', dir, '--kafka', k.brokers, '--topic', topic, '--json']);
    expect(caught.code).toBe(0);
    expect(JSON.parse(caught.stdout)).toMatchObject({ resumed_after: 0, published: 1, last: 1 });
    expect(sameStream(await kcatRead(k, topic), storeRecords(dir), 'acme/credit')).toBeNull();
  }, 60_000);

  it('a bad Kafka setting stops the append before anything is written (exit 2): a SASL mechanism without its password', async () => {
    const dir = tmp();
    const r = await gate(['audit', 'append', '--store', dir, '--event-type', 'X', '--actor', 'a', '--action', 'b', '--kafka', k.brokers, '--topic', 't', '--kafka-tls', '--kafka-sasl', 'scram-sha-512']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/SASL scram-sha-512 needs a user name and password\n  hint: set MODEL_GATE_KAFKA_USERNAME and MODEL_GATE_KAFKA_PASSWORD in the environment/);
    expect(() => readdirSync(join(dir, 'entries'))).toThrow();
  });

  it('the Action: a release with Kafka down succeeds within audit-kafka-timeout, warns, and outputs audit-stream=pending; the next release publishes both records', async () => {
    const ws = tmp();
    cpSync(join(ROOT, 'examples', 'release-repo'), ws, { recursive: true, filter: (src) => !/metadata(\.intoto)?\.json$|\.audit/.test(src) });
    const topic = uniqueTopic('action');
    const inputs = {
      model: 'models/credit-risk/model.pt',
      datasets: 'training=data/training\nvalidation=data/validation/holdout.parquet\n',
      'python-environment': 'false',
      'audit-store': '.audit',
      'audit-kafka': k.brokers,
      'audit-kafka-topic': topic,
      'audit-kafka-timeout': '2',
    };
    const env = { GITHUB_WORKSPACE: ws, GITHUB_REPOSITORY: 'acme-bank/credit-models', GITHUB_SHA: 'a'.repeat(40), GITHUB_ACTOR: 'release-bot' };
    const entry = join(ROOT, 'lib', 'src', 'action', 'index.js');
    // The same release without Kafka, on the same machine at the same moment: the baseline.
    const base = tmp();
    cpSync(join(ROOT, 'examples', 'release-repo'), base, { recursive: true, filter: (src) => !/metadata(\.intoto)?\.json$|\.audit/.test(src) });
    const { 'audit-kafka': _b, 'audit-kafka-topic': _t, 'audit-kafka-timeout': _s, ...plain } = inputs;
    const b0 = Date.now();
    expect((await runAction(entry, plain, { ...env, GITHUB_WORKSPACE: base })).code).toBe(0);
    const baseline = Date.now() - b0;
    await allDown();
    const t0 = Date.now();
    const first = await runAction(entry, inputs, env);
    const ms = Date.now() - t0;
    expect(first.code).toBe(0);
    expect(first.outputs['audit-seq']).toBe('0');
    expect(first.outputs['audit-stream']).toBe('pending');
    expect(first.stdout).toMatch(/::warning::record 0 is appended, but not yet in kafka:\/\/.*The next release or `model-gate audit stream` publishes it/);
    expect(ms).toBeLessThan(baseline + 2000 + 3000); // the bound, plus slack for a loaded machine
    await allUp();
    const second = await runAction(entry, inputs, env);
    expect(second.code).toBe(0);
    expect(second.outputs['audit-stream']).toBe('published');
    expect(sameStream(await kcatRead(k, topic), storeRecords(join(ws, '.audit')), 'acme-bank/credit-models')).toBeNull();
  }, 90_000);

  it('the App streamer (MODEL_GATE_KAFKA_*): down → reported, not thrown, within the bound; up → the log is published', async () => {
    const dir = tmp();
    const store = new FileStore(dir, dir);
    const { appendRecord } = await import('../../../src/audit/append.js');
    await appendRecord([store], { log: 'acme/app', event_type: 'GATE_VERDICT', component: 'github-app', actor: 'bot', action: 'pass' });
    const topic = uniqueTopic('app');
    const lines: string[] = [];
    const streamer = appStreamerFromEnv({ MODEL_GATE_KAFKA_BROKERS: k.brokers, MODEL_GATE_KAFKA_TOPIC: topic, MODEL_GATE_KAFKA_TIMEOUT_SECONDS: '2' }, (l) => lines.push(l));
    expect(streamer).toBeDefined();
    await allDown();
    const t0 = Date.now();
    const down = await streamer!.afterAppend(store);
    expect(Date.now() - t0).toBeLessThan(2000 + 1500);
    expect(down.ok).toBe(false);
    expect(lines.pop()).toMatch(/^audit stream: not published to kafka:\/\/.*: /);
    await allUp();
    const up = await streamer!.afterAppend(store);
    expect(up).toMatchObject({ ok: true, last: 0, published: 1 });
    expect(lines.pop()).toMatch(/holds the log up to record 0/);
    expect(() => appStreamerFromEnv({ MODEL_GATE_KAFKA_BROKERS: k.brokers })).toThrow(/MODEL_GATE_KAFKA_TOPIC is not/);
    expect(appStreamerFromEnv({})).toBeUndefined();
  }, 30_000);
}, { own: true });
