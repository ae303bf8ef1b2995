/**
 * Where the App's audit records go (issue 10, item 6): the App's own
 * configuration, else the default branch's policy; S3 endpoints only when the
 * App's configuration allows them.
 */
import { auditConfigFromEnv } from '../../src/app/audit-env.js';
import { auditStoresFor, checkStoreUrl } from '../../src/audit/store-choice.js';
import { parsePolicy } from '../../src/approval/policy-parse.js';

const policy = parsePolicy('version: 1\nprotected_paths: ["m/**"]\nroles:\n  - name: r\n    users: [bob]\naudit:\n  store: file:///srv/audit\n');

describe('the App\'s audit stores', () => {
  it('the App\'s configuration wins over any policy; without it, the default branch\'s policy decides', () => {
    const config = auditConfigFromEnv({ MODEL_GATE_AUDIT_STORE: 's3://audit/models?region=eu-west-1, file:///var/audit' });
    expect(auditStoresFor(config, policy, 'main')).toEqual({ stores: ['s3://audit/models?region=eu-west-1', 'file:///var/audit'], from: 'the App configuration (MODEL_GATE_AUDIT_STORE)' });
    expect(auditStoresFor(auditConfigFromEnv({}), policy, 'main')).toEqual({ stores: ['file:///srv/audit'], from: 'the policy on the default branch main' });
    expect(auditStoresFor(auditConfigFromEnv({}), null, 'main').stores).toEqual([]);
  });

  it('an S3 endpoint must be one the App allows (compared as origins); AWS\'s own endpoints need no entry', () => {
    const config = auditConfigFromEnv({ MODEL_GATE_S3_ENDPOINTS: 'https://s3.internal.example:9000/' });
    expect(() => checkStoreUrl('s3://b/p?region=us-east-1', config)).not.toThrow();
    expect(() => checkStoreUrl('s3://b/p?endpoint=https://s3.internal.example:9000', config)).not.toThrow();
    expect(() => checkStoreUrl('s3://b/p?endpoint=https://s3.internal.example:9001', config)).toThrow(/names the S3 endpoint https:\/\/s3\.internal\.example:9001, which the App's configuration does not allow/);
    expect(() => checkStoreUrl('s3://b/p?endpoint=http://169.254.169.254', auditConfigFromEnv({}))).toThrow(/169\.254\.169\.254, which the App's configuration does not allow/);
    expect(() => checkStoreUrl('file:///srv/audit', config)).not.toThrow();
  });

  it('a malformed endpoint list is a configuration error naming the variable', () => {
    expect(() => auditConfigFromEnv({ MODEL_GATE_S3_ENDPOINTS: 'not a url' })).toThrow(/MODEL_GATE_S3_ENDPOINTS: "not" is not a URL/);
  });
});
