/**
 * Item 6: S3 prefix traversal. `s3://bkt/a/../b` and `s3://bkt/a/%2e%2e/b`
 * silently became prefix `b/` (URL parsing resolves dot segments, percent-
 * encoded ones included), so a store URL could point outside the prefix it
 * names. The prefix is now checked on the raw string; exit 2.
 */
import { openStore } from '../../../src/audit/open-store.js';
import { parseS3Url } from '../../../src/audit/stores/s3-url.js';
import { cli } from '../cli-harness.js';
import { tempDirs } from '../temp-dir.js';

const tmp = tempDirs();
const env = { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' };

const traversals = [
  's3://bkt/a/../b?region=us-east-1',
  's3://bkt/a/%2e%2e/b?region=us-east-1',
  's3://bkt/a/%2E%2E/b?region=us-east-1',
  's3://bkt/a/.%2e/b?region=us-east-1',
  's3://bkt/a/%2e./b?region=us-east-1',
  's3://bkt/a/./b?region=us-east-1',
  's3://bkt/a/%2e/b?region=us-east-1',
  's3://bkt/a/..?region=us-east-1',
  's3://bkt/a/%2e%2e',
  's3://bkt/..',
  's3://bkt/a%2f..%2fb?region=us-east-1',
  's3://bkt/a/%2e%2e%2fb?region=us-east-1',
];

describe('S3 prefixes with dot segments are refused on the raw string', () => {
  it.each(traversals)('openStore refuses %s (E_STORE_URL, exit 2)', async (url) => {
    await expect(openStore(url, { env })).rejects.toMatchObject({ code: 'E_STORE_URL', exitCode: 2, where: url, message: expect.stringMatching(/"\."|"\.\."|segment/) });
    expect(() => parseS3Url(url, env)).toThrow(expect.objectContaining({ code: 'E_STORE_URL' }));
  });

  it('the CLI exits 2 and names the URL, touching no bucket', async () => {
    const r = await cli(tmp(), ['audit', 'verify', '--store', 's3://bkt/a/%2e%2e/b?region=us-east-1&endpoint=http://127.0.0.1:9'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/s3:\/\/bkt\/a\/%2e%2e\/b.*: .*segment/);
  });

  it('dots inside a segment, and encoded characters that are not dots, are kept', async () => {
    expect(parseS3Url('s3://bkt/v1.2/..a/b..?region=us-east-1', env).prefix).toBe('v1.2/..a/b../');
    expect(parseS3Url('s3://bkt/a%20b/c?region=us-east-1', env).prefix).toBe('a b/c/');
    expect((await openStore('s3://bkt/org/repo?region=us-east-1', { env })).displayUrl).toMatch(/^s3:\/\/bkt\/org\/repo/);
  });
});
