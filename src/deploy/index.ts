/**
 * The change-management part of the deployment gate, for the fronts (the
 * App's deployment protection rule, the CLI): the interface, the pure
 * decision, the waiting loop, the ServiceNow adapter and the release's
 * change request.
 */
export * from './change-management.js';
export * from './change-gate.js';
export * from './wait-for-change.js';
export * from './release-change.js';
export { ServiceNowChangeManagement, parseChangeRecord } from './servicenow.js';
export type { ServiceNowOptions, ServiceNowAuth } from './servicenow-http.js';
export { instanceUrl } from './servicenow-http.js';
