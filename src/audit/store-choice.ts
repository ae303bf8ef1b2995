/**
 * Where the App writes its audit records (pure). Never from a policy on just
 * any branch: a policy on an attacker's branch could point the App at any
 * directory (created for it) or send signed S3 requests to any endpoint.
 * The stores come from the App's own configuration (`MODEL_GATE_AUDIT_STORE`)
 * or, when it names none, from the policy on the repository's default
 * branch; an S3 `endpoint=` must be one the App's configuration allows
 * (`MODEL_GATE_S3_ENDPOINTS`; AWS's own endpoints need none).
 */
import { GateError } from '../core/errors.js';

export interface AppAuditConfig {
  /** Store URLs the App writes whatever any policy says (empty: the default branch's policy decides). */
  stores: string[];
  /** Origins (`https://host:port`) an `s3://...?endpoint=` may name. */
  s3Endpoints: string[];
}

export const NO_AUDIT_CONFIG: AppAuditConfig = { stores: [], s3Endpoints: [] };

/** Which stores to write, and why (pure): the App's own, else the default branch policy's. */
export function auditStoresFor(config: AppAuditConfig, defaultPolicy: { audit?: { stores?: string[] } } | null, defaultBranch: string): { stores: string[]; from: string } {
  if (config.stores.length > 0) return { stores: config.stores, from: 'the App configuration (MODEL_GATE_AUDIT_STORE)' };
  return { stores: defaultPolicy?.audit?.stores ?? [], from: `the policy on the default branch ${defaultBranch}` };
}

/** Throws E_CONFIG when a store URL names an S3 endpoint the App's configuration does not allow. */
export function checkStoreUrl(url: string, config: AppAuditConfig): void {
  if (!url.startsWith('s3://')) return;
  let endpoint: string | null;
  try {
    endpoint = new URL(url).searchParams.get('endpoint');
  } catch {
    return; // not parseable here: the store adapter reports it with its own message
  }
  if (endpoint === null) return;
  let origin: string;
  try {
    origin = new URL(endpoint).origin;
  } catch {
    origin = endpoint;
  }
  if (!config.s3Endpoints.includes(origin)) {
    throw new GateError('E_CONFIG', `the audit store names the S3 endpoint ${origin}, which the App's configuration does not allow`, {
      where: url.replace(/\?.*$/, ''),
      hint: `add ${origin} to MODEL_GATE_S3_ENDPOINTS in the App's environment if that endpoint is yours: the App signs requests to it with its credentials`,
    });
  }
}
