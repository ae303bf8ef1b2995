// The stream's one-pass Produce encoder against kafkajs's own (property): for
// every generated request (topics, partitions, sequences, keys, values and
// headers as strings, Buffers, absent or repeated; transactional or not), the
// bytes are kafkajs 2.2.4's, so swapping the encoder changes nothing on the
// wire. Inputs it does not cover (compression, message timestamps) are left
// to kafkajs and come out as kafkajs writes them.
import fc from 'fast-check';
import { createRequire } from 'node:module';
import { encodableProduce, encodeProduceRequest, type ProduceTopicData } from '../../../src/audit/stream/produce-request.js';
import { installProduceEncoder } from '../../../src/audit/stream/kafkajs-produce.js';
import { recordMessage } from '../../../src/audit/stream/cloudevent.js';
import { encodeRecord, RECORD_VERSION } from '../../../src/audit/record.js';
import { ZERO_DIGEST } from '../../../src/core/digest.js';

const require = createRequire(import.meta.url);
type Encoded = { buffer: Buffer };
type RequestBuilder = (args: Record<string, unknown>) => { apiVersion: number; encode: () => Promise<Encoded> };
const kafkajsV3 = require('kafkajs/src/protocol/requests/produce/v3/request.js') as RequestBuilder;
const kafkajsV7 = require('kafkajs/src/protocol/requests/produce/v7/request.js') as RequestBuilder;
const Long = require('kafkajs/src/utils/long.js') as { fromValue(v: unknown): unknown };
const crc32c = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (b: Buffer) => number;
const { requests } = require('kafkajs/src/protocol/requests/index.js') as {
  requests: { Produce: { protocol: (q: { version: number }) => (args: Record<string, unknown>) => { request: { encode: () => Promise<Encoded> } } } };
};

const NOW = 1_767_225_600_123;

/** Runs fn with Date.now fixed (kafkajs stamps each batch with Date.now()). */
async function at<T>(now: number, fn: () => Promise<T>): Promise<T> {
  const real = Date.now;
  Date.now = () => now;
  try {
    return await fn();
  } finally {
    Date.now = real;
  }
}

const text = fc.string({ unit: 'binary', maxLength: 40 });
const bytes = fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a));
const keyOrValue = fc.oneof(fc.constant(null), fc.constant(undefined), text, bytes);
const headerValue = fc.oneof(text, bytes);
const headers = fc.option(fc.dictionary(fc.string({ unit: 'binary', maxLength: 12 }), fc.oneof(headerValue, fc.array(headerValue, { maxLength: 3 })), { maxKeys: 6 }), {
  nil: undefined,
});
const message = fc.record({ key: keyOrValue, value: keyOrValue, headers }, { requiredKeys: [] });
const partition = fc.record(
  {
    partition: fc.integer({ min: 0, max: 5000 }),
    firstSequence: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    messages: fc.array(message, { maxLength: 12 }),
  },
  { requiredKeys: ['partition', 'messages'] },
);
const topicData = fc.array(
  fc.record({ topic: fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }), partitions: fc.array(partition, { minLength: 1, maxLength: 3 }) }),
  { minLength: 1, maxLength: 3 },
);
const request = fc.record({
  transactionalId: fc.oneof(fc.constant(null), fc.string({ unit: 'binary', maxLength: 40 })),
  acks: fc.constantFrom(-1, 0, 1),
  timeout: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  producerId: fc.bigInt({ min: -1n, max: 2n ** 63n - 1n }),
  producerEpoch: fc.integer({ min: 0, max: 32767 }),
  topicData,
});

describe('the one-pass Produce encoder writes kafkajs\'s bytes', () => {
  test('for every generated request, the body equals kafkajs 2.2.4\'s Produce v3 and v7 encoding', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const td = r.topicData as ProduceTopicData[];
        expect(encodableProduce(undefined, td)).toBe(true);
        const ours = encodeProduceRequest({ ...r, topicData: td }, NOW, crc32c);
        const args = { ...r, producerId: Long.fromValue(r.producerId), compression: 0 };
        const v3 = await at(NOW, async () => (await kafkajsV3(args).encode()).buffer);
        const v7 = await at(NOW, async () => (await kafkajsV7(args).encode()).buffer);
        expect(ours.equals(v3)).toBe(true);
        expect(ours.equals(v7)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test('the stream\'s own messages (a record with its ten CloudEvents headers) encode as kafkajs encodes them', async () => {
    const bytesOf = encodeRecord({
      v: RECORD_VERSION, log: 'acme/credit-risk', seq: 7, prev: ZERO_DIGEST, time: '2026-01-01T00:00:00.000Z',
      event_type: 'model.release.approved', component: 'app', actor: 'alice', action: 'approved', subject: [], details: { n: 'é€😀' }, compliance_tags: [],
    });
    const m = recordMessage(bytesOf, JSON.parse(bytesOf.toString('utf8')), 's3://acme-audit/credit-risk?region=eu-west-1');
    const topic = [{ topic: 'model-audit', partitions: [{ partition: 3, firstSequence: 41, messages: Array.from({ length: 50 }, () => ({ partition: 3, ...m })) }] }];
    expect(encodableProduce(0, topic)).toBe(true);
    const ours = encodeProduceRequest({ transactionalId: 'model-gate-stream:model-audit:acme/credit-risk', acks: -1, timeout: 30000, producerId: 4001n, producerEpoch: 3, topicData: topic }, NOW, crc32c);
    const theirs = await at(NOW, async () =>
      (await kafkajsV3({ transactionalId: 'model-gate-stream:model-audit:acme/credit-risk', acks: -1, timeout: 30000, producerId: Long.fromValue(4001n), producerEpoch: 3, compression: 0, topicData: topic }).encode()).buffer,
    );
    expect(ours.equals(theirs)).toBe(true);
  });

  test('installed under kafkajs, every Produce version 3 to 7 still writes kafkajs\'s bytes, with or without compression and timestamps', async () => {
    // The original builders, taken before installing.
    const before = [3, 4, 5, 6, 7].map((version) => requests.Produce.protocol({ version }));
    expect(installProduceEncoder()).toBe(true);
    expect(installProduceEncoder()).toBe(true); // idempotent
    const after = [3, 4, 5, 6, 7].map((version) => requests.Produce.protocol({ version }));
    const gzip = 1;
    await fc.assert(
      fc.asyncProperty(request, fc.constantFrom(0, gzip), fc.boolean(), async (r, compression, stamped) => {
        const td = stamped
          ? r.topicData.map((t) => ({ ...t, partitions: t.partitions.map((p) => ({ ...p, messages: p.messages.map((m, i) => ({ ...m, timestamp: String(NOW - i) })) })) }))
          : r.topicData;
        const args = { ...r, topicData: td, producerId: Long.fromValue(r.producerId), compression };
        for (let i = 0; i < before.length; i++) {
          const theirs = await at(NOW, async () => (await before[i](args).request.encode()).buffer);
          const ours = await at(NOW, async () => (await after[i](args).request.encode()).buffer);
          expect(ours.equals(theirs)).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
  });

  test('inputs outside what it covers are left to kafkajs', () => {
    expect(encodableProduce(1, [])).toBe(false); // gzip
    expect(encodableProduce(0, [{ topic: 't', partitions: [{ partition: 0, messages: [{ value: 'v', timestamp: '1' }] }] }])).toBe(false);
    expect(encodableProduce(0, [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 5 as unknown as string, value: 'v' }] }] }])).toBe(false);
    expect(encodableProduce(0, [{ topic: 't', partitions: [{ partition: 0, messages: [{ value: 'v', headers: { h: 5 as unknown as string } }] }] }])).toBe(false);
    expect(encodableProduce(0, [{ topic: 't', partitions: [{ partition: 0, messages: [{ value: 'v', headers: { h: ['a', null as unknown as string] } }] }] }])).toBe(false);
  });
});

describe('the batch checksum', () => {
  test('hash-wasm\'s CRC-32C is kafkajs\'s for any bytes, and the standard check value', async () => {
    const { crc32cOf } = await import('../../../src/audit/stream/kafkajs-produce.js');
    const unavailable = (): number => {
      throw new Error('the fallback was used');
    };
    const crc = await crc32cOf(unavailable);
    expect(crc).not.toBe(crc32c); // WebAssembly started (kafkajs's function is the fallback an earlier install may have named)
    expect(crc).not.toBe(unavailable);
    expect(crc(Buffer.from('123456789'))).toBe(0xe3069283); // CRC-32C check value (RFC 3720, B.4)
    fc.assert(fc.property(fc.uint8Array({ maxLength: 5000 }), (a) => crc(Buffer.from(a)) === crc32c(Buffer.from(a))), { numRuns: 500 });
  });
});
