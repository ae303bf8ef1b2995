/**
 * Defect: retries were stacked. The append protocol's loop (6 attempts)
 * wrapped the S3 store's own loop (4 attempts), so one write to a failing S3
 * made up to 24 PUTs. Now the store's create makes one attempt and the
 * protocol's loop is the only one, and a PUT whose answer was lost is still
 * looked up before the next one writes. Against a local HTTP server that
 * answers every S3 request 503 (no S3 needed: this is about our requests).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openS3Store } from '../../../src/audit/stores/s3-store.js';
import { DEFAULT_RETRY, withRetry } from '../../../src/audit/retry.js';

let server: Server;
const requests: string[] = [];
beforeAll(async () => {
  // Every PUT fails as S3 does when it is overloaded (503 SlowDown: the PUT
  // may or may not have landed); a version listing finds the key empty.
  server = createServer((req, res) => {
    const versions = new URL(req.url ?? '/', 'http://x').searchParams.has('versions');
    requests.push(`${req.method} ${versions ? 'versions' : 'object'}`);
    req.resume();
    if (req.method === 'GET' && versions) {
      res.writeHead(200, { 'content-type': 'application/xml' }).end(
        '<?xml version="1.0" encoding="UTF-8"?><ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bucket</Name><Prefix></Prefix><IsTruncated>false</IsTruncated></ListVersionsResult>',
      );
      return;
    }
    res.writeHead(503, { 'content-type': 'application/xml' }).end('<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

test('a write to an S3 that stays down makes one PUT per attempt of the one retry loop (6), each after a look at what the key holds', async () => {
  const port = (server.address() as AddressInfo).port;
  const env = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
  const store = await openS3Store(`s3://bucket/log?region=us-east-1&endpoint=http://127.0.0.1:${port}`, { env });
  const policy = { ...DEFAULT_RETRY, sleep: async () => undefined };
  const err = await withRetry(policy, 'writing entries/0', store.displayUrl, () => store.create('entries/00000000000000000000.json', Buffer.from('{}'))).catch((e: unknown) => e);
  expect(err).toMatchObject({ code: "E_SERVICE" });
  expect(requests.filter((r) => r.startsWith('PUT'))).toHaveLength(DEFAULT_RETRY.attempts);
  // Every PUT after the first (whose answer was lost) comes after a look at what the key holds.
  expect(requests).toEqual(['PUT object', ...Array(DEFAULT_RETRY.attempts - 1).fill(['GET versions', 'PUT object']).flat()]);
});
