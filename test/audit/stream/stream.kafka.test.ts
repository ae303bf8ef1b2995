// `model-gate audit stream` against a real Kafka-protocol cluster (librdkafka's
// mock cluster over TCP, scripts/kafka-server.sh), checked with an independent
// client (kcat). The stream runs as its own process, as an operator runs it.
import { spawn } from 'node:child_process';
import { tempDirs } from '../temp-dir.js';
import { CLI, describeKafka, kcatRead, sameStream, uniqueTopic, writeFileLog, type KafkaEnv } from '../../helpers/kafka.js';

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the CLI as a child process; `killAfterMs` SIGKILLs it then. */
function gate(args: string[], opts: { killAfterMs?: number; env?: Record<string, string> } = {}): Promise<Run> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = opts.killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

const LOG = 'acme/fraud-model';

describeKafka('audit stream to Kafka (mock cluster over TCP, kcat as the independent reader)', (k: KafkaEnv) => {
  const tmp = tempDirs();
  const stream = (store: string, topic: string, extra: string[] = []): string[] =>
    ['audit', 'stream', '--store', store, '--kafka', k.brokers, '--topic', topic, ...extra];

  it('1,000 records streamed read back with kcat: same bytes, same order, every seq once; a second run publishes nothing', async () => {
    const dir = tmp();
    const records = writeFileLog(dir, 1000, LOG);
    const topic = uniqueTopic('thousand');
    const first = await gate([...stream(dir, topic), '--json']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const r = JSON.parse(first.stdout);
    expect(r).toMatchObject({ log: LOG, resumed_after: -1, published: 1000, last: 999 });
    const messages = await kcatRead(k, topic);
    expect(new Set(messages.map((m) => m.partition))).toEqual(new Set([r.partition]));
    expect(sameStream(messages, records, LOG)).toBeNull();
    expect(new Set(messages.map((m) => m.headers.ce_id)).size).toBe(1000);

    const again = await gate([...stream(dir, topic), '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ resumed_after: 999, published: 0, last: 999 });
    expect((await kcatRead(k, topic)).length).toBe(1000);
  });

  it('SIGKILLed at 20 random points while publishing, then restarted: every record exactly once, in order', async () => {
    const dir = tmp();
    const records = writeFileLog(dir, 3000, LOG);
    const topic = uniqueTopic('sigkill');
    // Deterministic "random" kill points (seeded), spread over startup and publishing.
    let seed = 20261201;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let killed = 0;
    for (let i = 0; i < 20; i++) {
      const res = await gate(stream(dir, topic, ['--batch', '40']), { killAfterMs: 250 + Math.floor(rand() * 900) });
      if (res.signal === 'SIGKILL') killed++;
      else expect(res.code).toBe(0); // it finished before its kill point
    }
    expect(killed).toBeGreaterThan(10);
    const final = await gate([...stream(dir, topic), '--json']);
    expect(final.code).toBe(0);
    const messages = await kcatRead(k, topic);
    expect(sameStream(messages, records, LOG)).toBeNull();
  }, 180_000);

});
