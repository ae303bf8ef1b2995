/**
 * The App's audit configuration from its environment: `MODEL_GATE_AUDIT_STORE`
 * (stores written whatever any policy says) and `MODEL_GATE_S3_ENDPOINTS`
 * (the S3 endpoints a store may name). What it allows is decided in
 * src/audit/store-choice.ts.
 */
import { GateError } from '../core/errors.js';
import type { AppAuditConfig } from '../audit/store-choice.js';

const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/** The App's audit configuration from its environment. */
export function auditConfigFromEnv(env: Record<string, string | undefined>): AppAuditConfig {
  const s3Endpoints = list(env.MODEL_GATE_S3_ENDPOINTS).map((e) => {
    try {
      return new URL(e).origin;
    } catch {
      throw new GateError('E_CONFIG', `MODEL_GATE_S3_ENDPOINTS: ${JSON.stringify(e)} is not a URL`, {
        where: 'MODEL_GATE_S3_ENDPOINTS',
        hint: 'list endpoint URLs such as https://s3.internal.example:9000, separated by commas',
      });
    }
  });
  return { stores: list(env.MODEL_GATE_AUDIT_STORE), s3Endpoints };
}
