// The Action's audit-kafka inputs: a bad Kafka setting is an input error
// (exit 2) before anything is hashed or appended; Kafka itself is never asked.
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAction } from '../helpers/action-runner.js';
import { tempDirs } from '../helpers/temp-dirs.js';

const newDir = tempDirs('mrg-ws-');

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const entry = join(root, 'lib', 'src', 'action', 'index.js');

const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

function workspace(): string {
  const dir = newDir();
  made.push(dir);
  cpSync(join(root, 'examples', 'release-repo'), dir, { recursive: true, filter: (src) => !/metadata(\.intoto)?\.json$|\.audit/.test(src) });
  return dir;
}

const release = { model: 'models/credit-risk/model.pt', datasets: 'training=data/training\n', 'python-environment': 'false', 'audit-store': '.audit' };

describe('the Action with audit-kafka inputs that cannot work', () => {
  it.each([
    [{ 'audit-kafka': '127.0.0.1:9092' }, /Input required and not supplied: audit-kafka-topic/],
    [{ 'audit-kafka': 'kafka.internal', 'audit-kafka-topic': 't' }, /not a Kafka broker address: "kafka.internal"/],
    [{ 'audit-kafka': '127.0.0.1:9092', 'audit-kafka-topic': 't', 'audit-kafka-tls': 'true', 'audit-kafka-sasl': 'scram-sha-512' }, /SASL scram-sha-512 needs a user name and password/],
    [{ 'audit-kafka': '127.0.0.1:9092', 'audit-kafka-topic': 't', 'audit-kafka-sasl': 'plain' }, /SASL plain needs TLS/],
    [{ 'audit-kafka': '127.0.0.1:9092', 'audit-kafka-topic': 't', 'audit-kafka-timeout': '0' }, /audit-kafka-timeout.*whole number of seconds from 1 to 600/],
  ])('%j: exit 2 naming the problem, no metadata.json and no audit record written', async (inputs, message) => {
    const ws = workspace();
    const r = await runAction(entry, { ...release, ...inputs }, { GITHUB_WORKSPACE: ws, GITHUB_REPOSITORY: 'acme/x' });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(message);
    // (the file store's folder may exist: opening a store checks it is appendable)
    expect(existsSync(join(ws, '.audit', 'entries')) && readdirSync(join(ws, '.audit', 'entries')).length > 0).toBe(false);
    expect(existsSync(join(ws, 'models', 'credit-risk', 'metadata.json'))).toBe(false);
  });
});
