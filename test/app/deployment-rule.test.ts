import { correlationId, environmentPolicy } from '../../src/approval/deployment-policy.js';
import { runIdFromCallback } from '../../src/app/deployment-rule.js';
import { serviceNowFromEnv } from '../../src/app/servicenow-env.js';
import { GateError } from '../../src/core/errors.js';
import { SERVICENOW_DEFAULTS } from '../helpers/policies.js';

describe('deployment rule helpers', () => {
  it('takes the run id from the deployment_callback_url (github.com and GHES)', () => {
    expect(runIdFromCallback('https://api.github.com/repos/acme/models/actions/runs/4242/deployment_protection_rule')).toBe(4242);
    expect(runIdFromCallback('https://ghe.example/api/v3/repos/acme/models/actions/runs/7/deployment_protection_rule')).toBe(7);
    expect(runIdFromCallback('https://api.github.com/repos/acme/models/deployments/7')).toBeNull();
  });

  it('derives correlation ids from the template, and none when a value is missing', () => {
    expect(correlationId(SERVICENOW_DEFAULTS.correlation_id, { repository: 'acme/models', pull_request: 12 })).toBe('github:acme/models:pr:12');
    expect(correlationId(SERVICENOW_DEFAULTS.correlation_id, { repository: 'acme/models', pull_request: null })).toBeNull();
    expect(correlationId('model:{model_digest}:{environment}', { model_digest: 'sha256:ab', environment: 'prod' })).toBe('model:sha256:ab:prod');
  });

  it('matches environments without regard to case, as GitHub does', () => {
    const policy = { environments: [{ name: 'Production', release: true, change_request: false, release_branches: null }], checkpoint_key: null, servicenow: null };
    expect(environmentPolicy(policy, 'production')?.name).toBe('Production');
    expect(environmentPolicy(policy, 'staging')).toBeUndefined();
    expect(environmentPolicy(undefined, 'production')).toBeUndefined();
  });

  it('builds the ServiceNow connection from the variables the policy names, and says which one is missing', () => {
    const build = (env: Record<string, string>) => () => serviceNowFromEnv(env)(SERVICENOW_DEFAULTS);
    expect(build({})).toThrow(/SERVICENOW_INSTANCE \(the ServiceNow instance\) is not set/);
    expect(build({ SERVICENOW_INSTANCE: 'acme', SERVICENOW_USERNAME: 'svc' })).toThrow(/SERVICENOW_PASSWORD \(its password\) is not/);
    expect(build({ SERVICENOW_INSTANCE: 'acme' })).toThrow(GateError);
    expect(build({ SERVICENOW_INSTANCE: 'acme', SERVICENOW_TOKEN: 't' })).not.toThrow();
    expect(build({ SERVICENOW_INSTANCE: 'acme', SERVICENOW_USERNAME: 'svc', SERVICENOW_PASSWORD: 'pw' })).not.toThrow();
  });
});
