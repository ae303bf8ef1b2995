/**
 * Puts {@link encodeProduceRequest} under kafkajs: its Produce requests of
 * versions 3 to 7 (the ones with record headers, all one wire format) are
 * encoded in one pass instead of kafkajs's tree of small buffers. Everything
 * else of kafkajs is untouched: the producer's sequence numbers, epochs,
 * transactions, retries, the request header and the response decoding; only
 * the body bytes come from us, and they are kafkajs's own bytes
 * (test/audit/stream/produce-request.test.ts compares them over generated
 * inputs). Inputs the encoder does not cover (compression, message
 * timestamps, other key types) go to kafkajs's encoder as before.
 *
 * The batch's CRC-32C is hash-wasm's (WebAssembly, 0.6 ns a byte here)
 * rather than kafkajs's table loop in JavaScript (2.8 ns a byte: with ~930
 * bytes a record, the largest single cost left after the encoding); kafkajs's
 * is the fallback should WebAssembly be unavailable.
 *
 * kafkajs is pinned exactly (2.2.4) in package.json because of this and the
 * reader's use of its batch class; `install` refuses any other shape.
 */
import { createRequire } from 'node:module';
import { encodableProduce, encodeProduceRequest } from './produce-request.js';

const require = createRequire(import.meta.url);

type RequestPair = { request: { apiVersion: number; encode: () => Promise<unknown> }; response: unknown };
type ProduceArgs = {
  acks: number;
  timeout: number;
  compression?: number;
  topicData: unknown;
  transactionalId?: string | null;
  producerId?: unknown;
  producerEpoch?: number;
};
interface ProduceDefinition {
  versions: string[];
  protocol: (q: { version: number }) => ((args: ProduceArgs) => RequestPair) | undefined;
}
interface EncoderClass {
  new (initialSize?: number): { buf: Buffer; offset: number };
}
interface LongClass {
  fromValue(v: unknown): { toString(): string };
}

const MARK = Symbol.for('model-release-gate:kafkajs-produce');

type Crc = (b: Buffer) => number;
interface Crc32Hasher {
  init(): unknown;
  update(data: Uint8Array): unknown;
  digest(outputType: 'binary'): Uint8Array;
}
let fastCrc: Promise<Crc> | null = null;

/** CRC-32C (Castagnoli) through hash-wasm; `fallback` when its WebAssembly cannot start. */
export function crc32cOf(fallback: Crc): Promise<Crc> {
  fastCrc ??= (async (): Promise<Crc> => {
    try {
      const { createCRC32 } = require('hash-wasm/dist/crc32.umd.min.js') as { createCRC32(polynomial: number): Promise<Crc32Hasher> };
      const h = await createCRC32(0x82f63b78);
      // init, update and digest run in one synchronous call: no two batches share the hasher at once.
      return (b: Buffer): number => {
        h.init();
        h.update(b);
        const d = h.digest('binary');
        return ((d[0] << 24) | (d[1] << 16) | (d[2] << 8) | d[3]) >>> 0;
      };
    } catch {
      return fallback;
    }
  })();
  return fastCrc;
}

/** Installs the encoder (once per kafkajs instance); returns whether it is in place. */
export function installProduceEncoder(): boolean {
  const { requests } = require('kafkajs/src/protocol/requests/index.js') as { requests: { Produce: ProduceDefinition & { [MARK]?: true } } };
  const Produce = requests.Produce;
  if (Produce[MARK]) return true;
  const Encoder = require('kafkajs/src/protocol/encoder.js') as EncoderClass;
  const Long = require('kafkajs/src/utils/long.js') as LongClass;
  const crc32c = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (b: Buffer) => number;
  if (typeof Produce?.protocol !== 'function' || typeof Encoder !== 'function' || typeof Long?.fromValue !== 'function' || typeof crc32c !== 'function') {
    return false;
  }
  const original = Produce.protocol.bind(Produce);
  const crcReady = crc32cOf(crc32c);
  Produce.protocol = ({ version }) => {
    const build = original({ version });
    if (!build || version < 3 || version > 7) return build;
    return (args: ProduceArgs) => {
      const pair = build(args);
      if (pair.request.apiVersion !== version || !encodableProduce(args.compression, args.topicData)) return pair;
      const topicData = args.topicData;
      pair.request.encode = async () => {
        const crc = await crcReady;
        const bytes = encodeProduceRequest(
          {
            transactionalId: args.transactionalId ?? null,
            acks: args.acks,
            timeout: args.timeout,
            producerId: args.producerId == null ? -1n : BigInt(Long.fromValue(args.producerId).toString()),
            producerEpoch: args.producerEpoch ?? 0,
            topicData,
          },
          Date.now(),
          crc,
        );
        // kafkajs's request framing takes an Encoder; this one holds our bytes.
        const e = new Encoder(0);
        e.buf = bytes;
        e.offset = bytes.length;
        return e;
      };
      return pair;
    };
  };
  Produce[MARK] = true;
  return true;
}
