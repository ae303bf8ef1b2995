import { generateKeyPairSync } from 'node:crypto';
import { configErrorLine, GITHUB_MAX_PAYLOAD_BYTES, readServerConfig } from '../../src/app/server-config.js';
import { GateError } from '../../src/core/errors.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const good = { APP_ID: '12345', PRIVATE_KEY_PATH: '/keys/app.pem', WEBHOOK_SECRET: 's3cr3t-s3cr3t' };
const files: Record<string, string> = { '/keys/app.pem': rsa, '/keys/ed.pem': ed, '/keys/junk.pem': 'not a key\n' };
const readFile = (p: string): string => {
  if (!(p in files)) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
  return files[p];
};

function failure(env: Record<string, string | undefined>): GateError {
  try {
    readServerConfig(env, readFile);
  } catch (e) {
    expect(e).toBeInstanceOf(GateError);
    const err = e as GateError;
    expect(err.exitCode).toBe(2);
    expect(configErrorLine(err)).not.toContain('\n');
    return err;
  }
  throw new Error('expected a configuration error');
}

describe('App server configuration', () => {
  test('a complete environment gives the checked values and GitHub\'s 25 MB cap', () => {
    const c = readServerConfig({ ...good, PORT: '0', HOST: '127.0.0.1' }, readFile);
    expect(c).toMatchObject({ appId: 12345, webhookSecret: good.WEBHOOK_SECRET, port: 0, host: '127.0.0.1', webhookPath: '/api/github/webhooks' });
    expect(c.privateKey).toBe(rsa);
    expect(c.maxBodyBytes).toBe(25 * 1024 * 1024);
    expect(GITHUB_MAX_PAYLOAD_BYTES).toBe(26214400);
  });

  test.each([
    ['APP_ID missing', { APP_ID: undefined }, 'APP_ID', /not set.*App ID/],
    ['APP_ID not a number', { APP_ID: 'my-app' }, 'APP_ID', /numeric id/],
    ['no key at all', { PRIVATE_KEY_PATH: undefined }, 'PRIVATE_KEY_PATH', /not set.*Generate a private key/],
    ['key file missing', { PRIVATE_KEY_PATH: '/keys/none.pem' }, 'PRIVATE_KEY_PATH', /cannot read \/keys\/none\.pem \(ENOENT\)/],
    ['key file not a key', { PRIVATE_KEY_PATH: '/keys/junk.pem' }, 'PRIVATE_KEY_PATH', /not a usable GitHub App private key/],
    ['key not RSA', { PRIVATE_KEY_PATH: '/keys/ed.pem' }, 'PRIVATE_KEY_PATH', /ed25519 key; GitHub Apps sign with RSA/],
    ['PRIVATE_KEY malformed', { PRIVATE_KEY: '-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----' }, 'PRIVATE_KEY', /not a usable/],
    ['WEBHOOK_SECRET missing', { WEBHOOK_SECRET: undefined }, 'WEBHOOK_SECRET', /not set/],
    ['WEBHOOK_SECRET is Probot\'s default "development"', { WEBHOOK_SECRET: 'development' }, 'WEBHOOK_SECRET', /publicly known default.*openssl rand/],
    ['PORT not a port', { PORT: 'eighty' }, 'PORT', /port number/],
  ])('%s: names the variable and what to do', (_name, change, variable, message) => {
    const err = failure({ ...good, ...change });
    expect(err.where).toBe(variable);
    expect(configErrorLine(err)).toMatch(message);
    expect(configErrorLine(err)).toMatch(new RegExp(`^model-release-gate: ${variable} `));
  });

  test('PRIVATE_KEY is accepted as PEM text, with literal \\n, or as base64 (as Probot accepts it)', () => {
    for (const form of [rsa, rsa.replace(/\n/g, '\\n'), Buffer.from(rsa).toString('base64')]) {
      expect(readServerConfig({ ...good, PRIVATE_KEY_PATH: undefined, PRIVATE_KEY: form }, readFile).privateKey.trim()).toBe(rsa.trim());
    }
  });
});
