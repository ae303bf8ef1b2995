// Helper of bench/audit-stream.mjs: kafkajs alone producing prepared messages
// (the same CloudEvents messages the stream builds, from a JSON-lines file of
// records) with the stream's producer settings: transactional (idempotent,
// acks=all), 2,000 records per transaction, sends under 512 KiB. No store
// reading, no checks: what the client itself costs. With `fast`, kafkajs's
// Produce encoder is replaced by the stream's one-pass encoder (same bytes).
//   node bench/audit-stream-kafkajs.mjs BROKERS TOPIC RECORDS.jsonl SOURCE [fast]
import { readFileSync } from 'node:fs';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { recordMessage } from '../lib/src/audit/stream/cloudevent.js';

const [brokers, topic, file, source, mode] = process.argv.slice(2);
if (mode === 'fast') (await import('../lib/src/audit/stream/kafkajs-produce.js')).installProduceEncoder();
const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
const messages = lines.map((l) => recordMessage(Buffer.from(l), JSON.parse(l), source));
const kafka = new Kafka({ clientId: 'bench', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
const producer = kafka.producer({ transactionalId: `bench-${topic}`, maxInFlightRequests: 1, idempotent: false, createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect();
for (let i = 0; i < messages.length; i += 2000) {
  const txn = await producer.transaction();
  let chunk = [];
  let bytes = 0;
  for (const m of messages.slice(i, i + 2000)) {
    if (chunk.length && bytes + m.value.length >= 512 * 1024) {
      await txn.send({ topic, acks: -1, messages: chunk });
      chunk = [];
      bytes = 0;
    }
    chunk.push({ partition: 0, key: m.key, value: m.value, headers: m.headers });
    bytes += m.value.length + 512;
  }
  if (chunk.length) await txn.send({ topic, acks: -1, messages: chunk });
  await txn.commit();
}
await producer.disconnect();
