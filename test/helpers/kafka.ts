/**
 * The Kafka-protocol test cluster (scripts/kafka-server.sh: librdkafka's mock
 * cluster, 3 brokers on loopback) and an independent client to check it with:
 * kcat, which is librdkafka, not our kafkajs.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ZERO_DIGEST } from '../../src/core/digest.js';
import { encodeRecord, recordDigest, RECORD_VERSION, type AuditRecord } from '../../src/audit/record.js';
import { entryKey } from '../../src/audit/store.js';

const run = promisify(execFile);

export interface KafkaEnv {
  brokers: string;
  control: string;
}

/** The project root (tests run from lib/test/...). */
export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const CLI = join(ROOT, 'bin', 'model-gate.js');

/**
 * Runs the body with the cluster, or skips/fails clearly when it is off/missing.
 * `own: true` gives the file a cluster of its own (the same mock binary,
 * started before its tests and stopped after): for tests that take brokers
 * down or inject errors, which would hit other files' tests running at the
 * same time on the shared one. The fields of `k` are set before the first test.
 */
/** What a CLI child process did. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the CLI as a child process, as an operator runs it; `killAfterMs` SIGKILLs it then. */
export function runCliChild(args: string[], opts: { killAfterMs?: number; env?: Record<string, string> } = {}): Promise<CliRun> {
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

export function describeKafka(name: string, body: (k: KafkaEnv) => void, options: { own?: boolean } = {}): void {
  const brokers = process.env.MRG_TEST_KAFKA_BROKERS;
  const control = process.env.MRG_TEST_KAFKA_CONTROL;
  const mock = process.env.MRG_TEST_KAFKA_MOCK;
  if (process.env.MRG_TEST_KAFKA === 'off') {
    process.stderr.write(`note: skipping "${name}": MRG_TEST_KAFKA=off (these tests need the Kafka test cluster)\n`);
    describe.skip(`${name} [skipped: MRG_TEST_KAFKA=off]`, () => {
      it('needs the Kafka test cluster', () => undefined);
    });
    return;
  }
  if (!brokers || !control || (options.own && !mock)) {
    describe(name, () => {
      it('needs the Kafka test cluster (MRG_TEST_KAFKA_BROKERS, _CONTROL, _MOCK)', () => {
        throw new Error(
          'MRG_TEST_KAFKA_BROKERS/_CONTROL/_MOCK are not set. Run the suite with `npm test` (it starts scripts/kafka-server.sh), ' +
            'or start it yourself and export the lines `scripts/kafka-server.sh start` prints; set MRG_TEST_KAFKA=off to skip these tests.',
        );
      });
    });
    return;
  }
  if (!options.own) {
    describe(name, () => body({ brokers, control }));
    return;
  }
  const k: KafkaEnv = { brokers: '', control: '' };
  describe(name, () => {
    let child: ChildProcess | undefined;
    beforeAll(async () => {
      child = spawn(mock as string, ['3'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${mock} printed no addresses within 10 s`)), 10_000);
        child!.on('error', reject);
        child!.stdout!.on('data', (d) => {
          out += d;
          const b = /^bootstrap=(.+)$/m.exec(out);
          const c = /^control=(.+)$/m.exec(out);
          if (b && c) {
            clearTimeout(timer);
            k.brokers = b[1].trim();
            k.control = c[1].trim();
            resolve();
          }
        });
      });
    });
    afterAll(async () => {
      if (!child || child.exitCode !== null) return;
      const gone = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    });
    body(k);
  });
}

/** Sends one command to the mock's control port; resolves with the answer, rejects on "error ...". */
export function control(k: KafkaEnv, command: string): Promise<string> {
  const [host, port] = [k.control.slice(0, k.control.lastIndexOf(':')), Number(k.control.slice(k.control.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    const sock = connect(port, host);
    let buf = '';
    sock.setTimeout(5000, () => sock.destroy(new Error(`control ${command}: no answer`)));
    sock.on('data', (d) => {
      buf += d.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      sock.end();
      const line = buf.slice(0, nl);
      if (line.startsWith('ok')) resolve(line.slice(2).trim());
      else reject(new Error(`mock cluster: ${command}: ${line}`));
    });
    sock.on('error', reject);
    sock.write(`${command}\n`);
  });
}

let topicCounter = 0;
/** A topic name no other test uses (the cluster lives for the whole run). */
export function uniqueTopic(tag: string): string {
  return `mrg-${tag}-${process.pid}-${Date.now().toString(36)}-${topicCounter++}`;
}

/** A message as kcat reads it (-J): payload as text, headers as pairs. */
export interface KcatMessage {
  partition: number;
  offset: number;
  key: string | null;
  payload: string | null;
  headers: Record<string, string>;
}

/** Every message of a topic partition (or all partitions), read with kcat to the end. */
export async function kcatRead(k: KafkaEnv, topic: string, partition?: number): Promise<KcatMessage[]> {
  const args = ['-b', k.brokers, '-C', '-t', topic, '-o', 'beginning', '-e', '-J', '-q', '-X', 'isolation.level=read_committed'];
  if (partition !== undefined) args.push('-p', String(partition));
  const { stdout } = await run('kcat', args, { maxBuffer: 512 * 1024 * 1024 });
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const j = JSON.parse(l) as { partition: number; offset: number; key: string | null; payload: string | null; headers?: string[] };
      const headers: Record<string, string> = {};
      const h = j.headers ?? [];
      for (let i = 0; i + 1 < h.length; i += 2) headers[h[i]] = h[i + 1];
      return { partition: j.partition, offset: j.offset, key: j.key, payload: j.payload, headers };
    });
}

/** Produces one message with kcat (an independent producer: a rogue or a hand-made copy). */
export async function kcatProduce(k: KafkaEnv, topic: string, partition: number, key: string, value: Buffer, headers: Record<string, string>): Promise<void> {
  const args = ['-b', k.brokers, '-P', '-t', topic, '-p', String(partition), '-k', key];
  for (const [h, v] of Object.entries(headers)) args.push('-H', `${h}=${v}`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`kcat -P exited ${code}: ${err}`))));
    // One message: without -D/-l, kcat splits stdin on newlines; the value has none (canonical JSON).
    child.stdin.end(value);
  });
}

/** The partition leader's broker id (kcat -L). */
export async function leaderOf(k: KafkaEnv, topic: string, partition: number): Promise<number> {
  const { stdout } = await run('kcat', ['-b', k.brokers, '-L', '-t', topic, '-J']);
  const meta = JSON.parse(stdout) as { topics: Array<{ topic: string; partitions: Array<{ partition: number; leader: number }> }> };
  const p = meta.topics.find((t) => t.topic === topic)?.partitions.find((x) => x.partition === partition);
  if (!p) throw new Error(`no metadata for ${topic} [${partition}]`);
  return p.leader;
}

/**
 * Writes a valid log of `n` records straight into a file store's layout
 * (no fsync: a fixture, not the append protocol). Returns each record's bytes.
 */
export function writeFileLog(dir: string, n: number, log = 'acme/fraud-model', start = 0, prev: string = ZERO_DIGEST): Buffer[] {
  mkdirSync(join(dir, 'entries'), { recursive: true });
  const out: Buffer[] = [];
  let p = prev;
  for (let seq = start; seq < start + n; seq++) {
    const rec: AuditRecord = {
      v: RECORD_VERSION, log, seq, prev: p as AuditRecord['prev'], time: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, seq)).toISOString(),
      event_type: seq % 3 === 0 ? 'MODEL_RELEASE' : 'APPROVAL_VERIFIED', component: 'test', actor: `user${seq % 7}`,
      action: `event ${seq}`, subject: [], details: { n: seq, pad: 'x'.repeat(seq % 50) }, compliance_tags: ['SOX'],
    };
    const bytes = encodeRecord(rec);
    writeFileSync(join(dir, entryKey(seq)), bytes);
    out.push(bytes);
    p = recordDigest(bytes);
  }
  return out;
}

/**
 * Checks that a partition read holds exactly the records, once each, in
 * order, byte for byte; returns a description of the first difference.
 */
export function sameStream(messages: KcatMessage[], records: Buffer[], log: string): string | null {
  const mine = messages.filter((m) => m.key === log);
  for (let i = 0; i < Math.max(mine.length, records.length); i++) {
    const m = mine[i];
    if (!m) return `the topic ends after ${i} record(s); the store has ${records.length}`;
    if (i >= records.length) return `the topic has an extra message at offset ${m.offset}: ${m.headers.ce_id}`;
    if (m.headers.ce_id !== `${log}/${i}`) return `message ${i} (offset ${m.offset}) is ${m.headers.ce_id}, expected ${log}/${i}`;
    if (m.payload !== records[i].toString('utf8')) return `message ${i} (offset ${m.offset}) differs from the stored bytes`;
  }
  return null;
}
