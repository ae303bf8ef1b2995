// `model-gate audit stream` against a real Kafka-protocol cluster (librdkafka's
// mock cluster over TCP, scripts/kafka-server.sh), checked with an independent
// client (kcat). The stream runs as its own process, as an operator runs it.
// The cluster is this file's own: the kill test slows its Produce answers.
import { spawn } from 'node:child_process';
import { tempDirs } from '../temp-dir.js';
import { CLI, runCliChild as gate, control, describeKafka, kcatRead, sameStream, uniqueTopic, writeFileLog, type KafkaEnv } from '../../helpers/kafka.js';

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
    const records = writeFileLog(dir, 3000, LOG); // the mock keeps ~5 MB a partition: no more
    const topic = uniqueTopic('sigkill');
    // Each Produce is answered 60 ms late (the cluster's own delay, on every
    // broker), so a run of 300 transactions takes seconds on any machine and
    // the kill points land while it publishes, not after it finished.
    const slowProduce = async (): Promise<void> => {
      await control(k, 'clear Produce');
      for (const broker of [1, 2, 3]) await control(k, `broker-errors ${broker} Produce ${Array(40).fill('NO_ERROR:60').join(' ')}`);
    };
    // Deterministic "random" kill points (seeded), spread over startup and publishing.
    let seed = 20261201;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let killed = 0;
    for (let i = 0; i < 20; i++) {
      await slowProduce();
      const res = await gate(stream(dir, topic, ['--batch', '10']), { killAfterMs: 250 + Math.floor(rand() * 900) });
      if (res.signal === 'SIGKILL') killed++;
      else expect(res.code).toBe(0); // it finished before its kill point
    }
    expect(killed).toBeGreaterThan(10);
    await control(k, 'clear Produce');
    const final = await gate([...stream(dir, topic), '--json']);
    expect(final.code).toBe(0);
    const messages = await kcatRead(k, topic);
    expect(sameStream(messages, records, LOG)).toBeNull();
  }, 180_000);

  it('--follow publishes records appended while it runs, each once, and ends cleanly (exit 0) on SIGTERM', async () => {
    const dir = tmp();
    writeFileLog(dir, 3, LOG);
    const topic = uniqueTopic('follow');
    const child = spawn(process.execPath, [CLI, ...stream(dir, topic, ['--follow', '--interval', '100'])], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    const until = async (n: number): Promise<void> => {
      for (let i = 0; i < 200; i++) {
        if ((await kcatRead(k, topic).catch(() => [])).length >= n) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`the topic did not reach ${n} messages; stderr: ${stderr}`);
    };
    await until(3);
    // Appended through the CLI while the stream follows.
    for (let i = 0; i < 4; i++) {
      const r = await gate(['audit', 'append', '--store', dir, '--event-type', 'MODEL_RELEASE', '--actor', 'alice', '--action', `later ${i}`]);
      expect(r.code).toBe(0);
    }
    await until(7);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const { readdirSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const records = readdirSync(join(dir, 'entries')).sort().map((f) => readFileSync(join(dir, 'entries', f)));
    expect(records.length).toBe(7);
    expect(sameStream(await kcatRead(k, topic), records, LOG)).toBeNull();
    expect(stderr).toMatch(/published records 0\.\.2/);
  }, 60_000);

  it('a topic holding another chain of the log is refused (exit 1, E_STREAM_MISMATCH) and nothing is published after it', async () => {
    const topic = uniqueTopic('other-chain');
    const a = tmp();
    writeFileLog(a, 5, LOG);
    expect((await gate(stream(a, topic))).code).toBe(0);
    const b = tmp();
    writeFileLog(b, 8, LOG, 0, `sha256:${'1'.repeat(64)}`); // same log name, other records
    const r = await gate(stream(b, topic));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the topic's record 4 of log acme\/fraud-model differs from the store's/);
    expect((await kcatRead(k, topic)).length).toBe(5);
  });

  it('a record missing from the store stops the stream before it (exit 1, naming the record); the records before it are published', async () => {
    const { rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const dir = tmp();
    const records = writeFileLog(dir, 10, LOG);
    rmSync(join(dir, 'entries', '00000000000000000006.json'), { force: true });
    const topic = uniqueTopic('gap');
    const r = await gate(stream(dir, topic));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/record 6 of log acme\/fraud-model is missing from the store; streamed up to 5/);
    expect(sameStream(await kcatRead(k, topic), records.slice(0, 6), LOG)).toBeNull();
  });
}, { own: true });
