// `model-gate audit stream` under faults injected into a Kafka-protocol cluster
// of this file's own (librdkafka's mock cluster over TCP, the binary that
// scripts/kafka-server.sh builds): leader down, request errors, a lost
// response, fencing, the whole cluster down. Checked with kcat.
import { transactionalIdFor } from '../../../src/audit/stream/kafka-topic.js';
import { tempDirs } from '../temp-dir.js';
import { runCliChild as gate, control, describeKafka, kcatRead, leaderOf, sameStream, uniqueTopic, writeFileLog, type KafkaEnv } from '../../helpers/kafka.js';

const LOG = 'acme/fraud-model';

describeKafka('audit stream to Kafka under faults (a mock cluster of its own, kcat as the independent reader)', (k: KafkaEnv) => {
  const tmp = tempDirs();
  const stream = (store: string, topic: string, extra: string[] = []): string[] =>
    ['audit', 'stream', '--store', store, '--kafka', k.brokers, '--topic', topic, ...extra];

  it('Produce answered NOT_LEADER_FOR_PARTITION and REQUEST_TIMED_OUT, then the leader down and back: nothing lost, nothing duplicated', async () => {
    const topic = uniqueTopic('faults');
    // A first run with record 0 only creates the topic and tells the partition.
    const seed = await gate([...stream(tmp(), topic), '--json']);
    expect(seed.code).toBe(0);
    expect(JSON.parse(seed.stdout).log).toBeNull(); // an empty store publishes nothing
    const one = tmp();
    writeFileLog(one, 1, LOG);
    const first = await gate([...stream(one, topic), '--json']);
    expect(first.code).toBe(0);
    const partition = JSON.parse(first.stdout).partition as number;
    const leader = await leaderOf(k, topic, partition);

    const dir = tmp();
    const records = writeFileLog(dir, 900, LOG);
    // Two errors, then ten answers 150 ms late: the leader goes down once both
    // errors were met and while the stream is still publishing, on any machine.
    await control(k, `broker-errors ${leader} Produce NOT_LEADER_FOR_PARTITION:0 REQUEST_TIMED_OUT:0 ${Array(10).fill('NO_ERROR:150').join(' ')}`);
    const running = gate([...stream(dir, topic), '--batch', '50', '--kafka-timeout', '40', '--json']);
    for (let waited = 0; Number(await control(k, `pending ${leader} Produce`)) > 10; waited += 50) {
      if (waited > 60_000) throw new Error('the stream never sent its first Produce requests');
      await new Promise((r) => setTimeout(r, 50));
    }
    await control(k, `down ${leader}`);
    await new Promise((r) => setTimeout(r, 2500));
    await control(k, `up ${leader}`);
    const res = await running;
    expect(await control(k, `pending ${leader} Produce`)).toBe('0'); // both faults and the delays were met
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ resumed_after: 0, last: 899 });
    expect(sameStream(await kcatRead(k, topic, partition), records, LOG)).toBeNull();
  }, 120_000);

  it.each([
    ['Produce', 'INVALID_PRODUCER_EPOCH'],
    ['AddPartitionsToTxn', 'PRODUCER_FENCED'],
    ['EndTxn', 'PRODUCER_FENCED'],
  ])('two stream processes: the one Kafka fences (%s answered %s) stands down at once; the other publishes every record exactly once', async (api, error) => {
    // A real broker fences the older producer of a transactional id when a
    // newer one initialises (KIP-98); the mock cluster does not track epochs,
    // so the test injects the answer a fenced producer gets from a broker.
    const dir = tmp();
    const records = writeFileLog(dir, 2000, LOG);
    const topic = uniqueTopic('fenced');
    // Create the topic and learn where the log's partition and transactions live.
    const seed = tmp();
    writeFileLog(seed, 1, LOG);
    const first = await gate([...stream(seed, topic), '--json']);
    const partition = JSON.parse(first.stdout).partition as number;
    const broker = api === 'Produce' ? await leaderOf(k, topic, partition) : 1;
    if (api !== 'Produce') await control(k, `coordinator transaction ${transactionalIdFor(topic, LOG)} 1`);
    // The fence answers the process's fourth request of that API: mid-stream
    // whatever the machine's speed (three answered normally first).
    await control(k, `broker-errors ${broker} ${api} NO_ERROR:0 NO_ERROR:0 NO_ERROR:0 ${error}:0`);
    const ra = await gate([...stream(dir, topic), '--batch', '5', '--json']);
    expect(await control(k, `pending ${broker} ${api}`)).toBe('0');
    expect(ra.code).toBe(0);
    const outA = JSON.parse(ra.stdout);
    expect(outA.stood_down).toMatch(/another stream process took over this log .* \(Kafka fenced this producer\)/);
    expect(outA.last).toBeLessThan(1999);
    expect(ra.stderr).toMatch(/^note: another stream process took over/);
    expect((await kcatRead(k, topic)).length).toBeLessThan(2000);

    const rb = await gate([...stream(dir, topic), '--json']);
    expect(rb.code).toBe(0);
    expect(JSON.parse(rb.stdout)).toMatchObject({ stood_down: null, last: 1999 });
    expect(sameStream(await kcatRead(k, topic), records, LOG)).toBeNull();
  }, 60_000);

  it('a response lost after the broker appended (delayed past the request timeout): the idempotent retry is not written twice', async () => {
    const dir = tmp();
    const records = writeFileLog(dir, 200, LOG);
    const topic = uniqueTopic('lost-response');
    const first = await gate([...stream(dir, topic), '--json']);
    const p = JSON.parse(first.stdout).partition as number;
    const more = tmp();
    const all = writeFileLog(more, 260, LOG);
    expect(all.slice(0, 200)).toEqual(records);
    const leader = await leaderOf(k, topic, p);
    // --kafka-timeout 20 gives a 5 s request timeout: the answer to the next
    // Produce comes after 6 s, the client retries the same batch (same
    // producer id and sequence) and the broker acknowledges it as a duplicate.
    await control(k, `broker-errors ${leader} Produce NO_ERROR:6000`);
    const res = await gate([...stream(more, topic), '--kafka-timeout', '20', '--json']);
    expect(await control(k, `pending ${leader} Produce`)).toBe('0');
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ resumed_after: 199, published: 60, last: 259 });
    expect(sameStream(await kcatRead(k, topic, p), all, LOG)).toBeNull();
  }, 60_000);

  it('the cluster unreachable past --kafka-timeout: exit 3 with a message that says what and what to do, in bounded time', async () => {
    const dir = tmp();
    writeFileLog(dir, 5, LOG);
    const topic = uniqueTopic('down');
    for (const b of [1, 2, 3]) await control(k, `down ${b}`);
    try {
      const res = await gate([...stream(dir, topic), '--kafka-timeout', '3']);
      expect(res.code).toBe(3);
      expect(res.stdout).toBe('');
      expect(res.stderr).toMatch(/kafka:\/\/127\.0\.0\.1:\d+.*\/mrg-down-/);
      // Either the bound passed or kafkajs's retries (sized to fit in it) ran out first.
      expect(res.stderr).toMatch(/Kafka (did not complete .* within 3 s|failed during .*: Connection error)/);
      expect(res.stderr).toMatch(/hint: .*[Rr]un `model-gate audit stream` again later/);
      expect(res.ms).toBeLessThan(3000 + 8000);
    } finally {
      for (const b of [1, 2, 3]) await control(k, `up ${b}`);
    }
  }, 30_000);
}, { own: true });
