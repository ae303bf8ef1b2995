// `audit verify --kafka`: the topic as one more copy of the log, on the Kafka
// mock cluster. The damaged copies are written by an independent producer
// (kcat), as a rogue or a broken mirror would write them.
import { cli } from '../cli-harness.js';
import { tempDirs } from '../temp-dir.js';
import { parseRecord } from '../../../src/audit/record.js';
import { recordMessage } from '../../../src/audit/stream/cloudevent.js';
import { resolveKafkaConnection } from '../../../src/audit/stream/kafka-connection.js';
import { KafkaTopic } from '../../../src/audit/stream/kafka-topic.js';
import { control, describeKafka, kcatProduce, uniqueTopic, writeFileLog, type KafkaEnv } from '../../helpers/kafka.js';

const LOG = 'acme/fraud-model';

describeKafka('audit verify --kafka: the topic checked as a copy of the store', (k: KafkaEnv) => {
  const tmp = tempDirs();
  const dir = tmp();
  const records = writeFileLog(dir, 10, LOG);
  const verify = (topic: string): Promise<{ code: number; stdout: string; stderr: string; json: () => any }> =>
    cli(dir, ['audit', 'verify', '--store', dir, '--kafka', k.brokers, '--topic', topic, '--json']);

  /** A topic written by kcat with the records in `order`; `alter` changes a value. */
  async function handMade(tag: string, order: number[], alter?: (seq: number, value: Buffer) => Buffer): Promise<string> {
    const topic = uniqueTopic(tag);
    await control(k, `topic ${topic} 4 3`);
    const t = new KafkaTopic(await resolveKafkaConnection({ brokers: k.brokers }, {}, async () => ''), topic);
    const partition = await t.partitionOf(LOG);
    await t.close();
    for (const seq of order) {
      const p = parseRecord(records[seq]);
      if (!p.ok) throw new Error(p.reason);
      const m = recordMessage(records[seq], p.record, dir);
      await kcatProduce(k, topic, partition, m.key, alter ? alter(seq, m.value) : m.value, m.headers);
    }
    return topic;
  }

  it('a topic the stream wrote is a faithful copy: exit 0', async () => {
    const topic = uniqueTopic('verify-ok');
    expect((await cli(dir, ['audit', 'stream', '--store', dir, '--kafka', k.brokers, '--topic', topic])).code).toBe(0);
    const r = await verify(topic);
    expect(r.json().findings).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/holds 10 message\(s\) of the log/);
  });

  it('finds a record missing from the topic', async () => {
    const r = await verify(await handMade('verify-missing', [0, 1, 2, 3, 5, 6, 7, 8, 9]));
    expect(r.code).toBe(1);
    expect(r.json().findings.map((f: any) => [f.kind, f.seq])).toEqual([['missing', 4]]);
    expect(r.json().findings[0].store).toMatch(/^kafka:\/\//);
  });

  it('finds a reordered pair', async () => {
    const r = await verify(await handMade('verify-reordered', [0, 1, 2, 3, 4, 5, 7, 6, 8, 9]));
    expect(r.code).toBe(1);
    expect(r.json().findings.map((f: any) => [f.kind, f.seq])).toEqual([['misplaced', 6]]);
  });

  it('finds a message whose bytes were altered (store-mismatch)', async () => {
    const topic = await handMade('verify-altered', [...Array(10).keys()], (seq, v) =>
      seq === 3 ? Buffer.from(v.toString('utf8').replace('"actor":"user3"', '"actor":"mallory"')) : v,
    );
    const r = await verify(topic);
    expect(r.code).toBe(1);
    const f = r.json().findings;
    expect(f.map((x: any) => [x.kind, x.seq])).toEqual([['store-mismatch', 3]]);
    expect(f[0].message).toMatch(/record 3 differs/);
  });

  it('--kafka without --topic is a usage error (exit 2) naming both flags', async () => {
    const r = await cli(dir, ['audit', 'verify', '--store', dir, '--kafka', k.brokers]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--kafka and --topic go together/);
  });
});
