// Connection options: TLS (CA, client certificate), SASL PLAIN/SCRAM, AWS MSK
// IAM; secrets only from the environment and never in a message. The TLS
// handshake is checked against a real TLS server (Node's), with certificates
// made by openssl for the test.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type TLSSocket } from 'node:tls';
import { GateError } from '../../../src/core/errors.js';
import { parseBrokers, resolveKafkaConnection, type KafkaConnectionOptions } from '../../../src/audit/stream/kafka-connection.js';
import { KafkaTopic, kafkajsConfig } from '../../../src/audit/stream/kafka-topic.js';
import { tempDirs } from '../temp-dir.js';

const tmp = tempDirs();
const noFiles = async (p: string): Promise<string> => {
  throw new Error(`unexpected read of ${p}`);
};
const resolveErr = async (o: KafkaConnectionOptions, env: Record<string, string> = {}, read = noFiles): Promise<GateError> => {
  try {
    await resolveKafkaConnection(o, env, read);
  } catch (e) {
    return e as GateError;
  }
  throw new Error('resolved');
};

describe('Kafka connection options', () => {
  it('broker lists: host:port entries, comma-separated; a bad entry is named; credentials in an address are refused', () => {
    expect(parseBrokers('b-1.kafka.internal:9094, b-2.kafka.internal:9094')).toEqual(['b-1.kafka.internal:9094', 'b-2.kafka.internal:9094']);
    expect(parseBrokers(['127.0.0.1:9092', '[::1]:9093'])).toEqual(['127.0.0.1:9092', '[::1]:9093']);
    expect(() => parseBrokers('kafka.internal')).toThrow(/not a Kafka broker address: "kafka.internal"/);
    expect(() => parseBrokers('kafka:99999')).toThrow(/not a Kafka broker address/);
    expect(() => parseBrokers('user:secret@kafka:9092')).toThrow(/not a Kafka broker address/);
    expect(() => parseBrokers(' , ')).toThrow(/no Kafka broker given/);
  });

  it('SASL PLAIN and SCRAM take the user and password from the environment only, and need TLS', async () => {
    const env = { MODEL_GATE_KAFKA_USERNAME: 'svc-audit', MODEL_GATE_KAFKA_PASSWORD: 'hunter2-secret' };
    for (const mechanism of ['plain', 'scram-sha-256', 'SCRAM-SHA-512']) {
      const c = await resolveKafkaConnection({ brokers: 'k:9093', tls: true, sasl: mechanism }, env, noFiles);
      expect(c.sasl).toEqual({ mechanism: mechanism.toLowerCase(), username: 'svc-audit', password: 'hunter2-secret' });
      expect(kafkajsConfig(c, 10_000).sasl).toEqual({ mechanism: mechanism.toLowerCase(), username: 'svc-audit', password: 'hunter2-secret' });
      expect(c.display).toBe('k:9093');
    }
    const noTls = await resolveErr({ brokers: 'k:9092', sasl: 'plain' }, env);
    expect([noTls.code, noTls.message]).toEqual(['E_USAGE', 'SASL plain needs TLS: the credentials would cross the network unencrypted']);
    const noSecret = await resolveErr({ brokers: 'k:9093', tls: true, sasl: 'scram-sha-512' });
    expect(noSecret.hint).toBe('set MODEL_GATE_KAFKA_USERNAME and MODEL_GATE_KAFKA_PASSWORD in the environment (never on the command line)');
    expect((await resolveErr({ brokers: 'k:9093', tls: true, sasl: 'gssapi' })).message).toMatch(/unknown SASL mechanism "gssapi"/);
  });

  it('AWS MSK IAM: OAUTHBEARER with a token signed from the default AWS credentials (offline), region from AWS_REGION', async () => {
    expect((await resolveErr({ brokers: 'b-1.msk:9098', tls: true, sasl: 'aws-msk-iam' })).message).toMatch(/needs the cluster's region/);
    const c = await resolveKafkaConnection({ brokers: 'b-1.msk:9098', tls: true, sasl: 'aws-msk-iam' }, { AWS_REGION: 'eu-west-1' }, noFiles);
    const sasl = kafkajsConfig(c, 10_000).sasl as { mechanism: string; oauthBearerProvider: () => Promise<{ value: string }> };
    expect(sasl.mechanism).toBe('oauthbearer');
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    try {
      const { value } = await sasl.oauthBearerProvider();
      const url = new URL(Buffer.from(value, 'base64url').toString('utf8'));
      expect(url.hostname).toBe('kafka.eu-west-1.amazonaws.com');
      expect(url.searchParams.get('Action')).toBe('kafka-cluster:Connect');
      expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/kafka-cluster\/aws4_request$/);
    } finally {
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID; else process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY; else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
  });

  it('a client certificate needs its key; files are read through the caller, named by flag', async () => {
    expect((await resolveErr({ brokers: 'k:9093', certFile: 'c.pem' })).message).toMatch(/needs both --kafka-cert and --kafka-key/);
    const read = async (p: string, flag: string): Promise<string> => `${flag}:${p}`;
    const c = await resolveKafkaConnection({ brokers: 'k:9093', caFile: 'ca.pem', certFile: 'c.pem', keyFile: 'k.pem' }, { MODEL_GATE_KAFKA_KEY_PASSPHRASE: 'pp' }, read);
    expect(c.ssl).toEqual({ ca: ['--kafka-ca:ca.pem'], cert: '--kafka-cert:c.pem', key: '--kafka-key:k.pem', passphrase: 'pp' });
    expect(kafkajsConfig(c, 10_000).ssl).toMatchObject({ rejectUnauthorized: true });
  });

  it('the password never appears in an error or a name, even when the connection fails', async () => {
    const secret = 'hunter2-secret';
    const c = await resolveKafkaConnection(
      { brokers: '127.0.0.1:1', tls: true, sasl: 'plain' },
      { MODEL_GATE_KAFKA_USERNAME: 'svc', MODEL_GATE_KAFKA_PASSWORD: secret },
      noFiles,
    );
    const lines: string[] = [];
    const topic = new KafkaTopic(c, 'audit', { timeoutMs: 1500, log: (l) => lines.push(l) });
    let err: GateError | undefined;
    try {
      await topic.lastMessage('acme/log');
    } catch (e) {
      err = e as GateError;
    } finally {
      await topic.close();
    }
    expect(err?.exitCode).toBe(3);
    expect(`${err?.describe()} ${topic.displayName} ${lines.join('\n')}`).not.toContain(secret);
  });

  it('TLS reaches the wire: the broker is verified against --kafka-ca and sees the client certificate; a broker the CA did not sign is refused', async () => {
    const d = tmp();
    const ssl = (args: string[]): void => void execFileSync('openssl', args, { cwd: d, stdio: 'ignore' });
    ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=mrg-test-ca']);
    writeFileSync(join(d, 'san.cnf'), 'subjectAltName=IP:127.0.0.1\n');
    for (const [name, cn] of [['server', 'mrg-test-broker'], ['client', 'mrg-test-client'], ['rogue', 'mrg-rogue']] as const) {
      ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
    }
    ssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.cnf']);
    ssl(['x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.pem', '-days', '2']);
    ssl(['req', '-x509', '-key', 'rogue.key', '-in', 'rogue.csr', '-out', 'rogue.pem', '-days', '2', '-addext', 'subjectAltName=IP:127.0.0.1']);
    const f = (n: string): Buffer => readFileSync(join(d, n));

    async function handshake(serverCert: string, serverKey: string): Promise<{ clientCn: string | null; clientRejected: boolean }> {
      let clientCn: string | null = null;
      let clientRejected = false;
      const server = createServer({ key: f(serverKey), cert: f(serverCert), ca: f('ca.pem'), requestCert: true, rejectUnauthorized: true }, (sock: TLSSocket) => {
        clientCn = (sock.getPeerCertificate().subject?.CN as string | undefined) ?? null;
        sock.destroy(); // not a Kafka broker: the point is the handshake
      });
      server.on('tlsClientError', () => (clientRejected = true));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      const port = (server.address() as { port: number }).port;
      const conn = await resolveKafkaConnection(
        { brokers: `127.0.0.1:${port}`, caFile: 'ca.pem', certFile: 'client.pem', keyFile: 'client.key' },
        {},
        async (p) => f(p).toString('utf8'),
      );
      const topic = new KafkaTopic(conn, 'audit', { timeoutMs: 1500 });
      await topic.lastMessage('acme/log').catch(() => undefined);
      await topic.close();
      await new Promise((r) => server.close(r));
      return { clientCn, clientRejected };
    }

    expect(await handshake('server.pem', 'server.key')).toEqual({ clientCn: 'mrg-test-client', clientRejected: false });
    const rogue = await handshake('rogue.pem', 'rogue.key');
    expect(rogue.clientCn).toBeNull();
    expect(rogue.clientRejected).toBe(true);
  }, 30_000);
});
