/**
 * The App's ServiceNow connection: the policy names the environment
 * variables (all starting with SERVICENOW_, so a policy cannot make the App
 * send another of its secrets anywhere); their values come from the App's
 * own environment, never from the repository.
 */
import { GateError } from '../core/errors.js';
import type { ServiceNowPolicy } from '../approval/deployment-policy.js';
import type { ChangeManagement } from '../deploy/change-management.js';
import { ServiceNowChangeManagement } from '../deploy/servicenow.js';

/** Builds `changeManagementFor` over an environment (process.env in the server). */
export function serviceNowFromEnv(env: Record<string, string | undefined>): (s: ServiceNowPolicy) => ChangeManagement {
  return (s) => {
    const instance = env[s.instance_env];
    if (!instance) {
      throw new GateError('E_CONFIG', `the App's environment variable ${s.instance_env} (the ServiceNow instance) is not set`, {
        hint: `set ${s.instance_env} where the App runs, or change deployment.servicenow.instance_env in the policy`,
      });
    }
    const username = env[s.username_env];
    if (username) {
      const password = env[s.password_env];
      if (!password) {
        throw new GateError('E_CONFIG', `${s.username_env} is set but ${s.password_env} (its password) is not`, {
          hint: `set ${s.password_env} where the App runs`,
        });
      }
      return new ServiceNowChangeManagement({ instance, auth: { username, password } });
    }
    const token = env[s.token_env];
    if (!token) {
      throw new GateError('E_CONFIG', `no ServiceNow credentials: neither ${s.username_env} nor ${s.token_env} is set in the App's environment`, {
        hint: `set ${s.username_env} and ${s.password_env}, or ${s.token_env}, where the App runs`,
      });
    }
    return new ServiceNowChangeManagement({ instance, auth: { token } });
  };
}
