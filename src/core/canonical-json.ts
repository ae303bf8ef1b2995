import canonicalizeImpl from 'canonicalize';
import { GateError } from './errors.js';

const canonicalize = canonicalizeImpl as unknown as (value: unknown) => string | undefined;

/**
 * RFC 8785 (JSON Canonicalization Scheme) text of a value: the bytes that are
 * hashed and signed. Rejects what JCS cannot represent (undefined at the top,
 * non-finite numbers) instead of silently producing something else.
 */
export function canonicalJson(value: unknown): string {
  assertCanonicalisable(value, '$');
  const text = canonicalize(value);
  if (text === undefined) {
    throw new GateError('E_INPUT', 'value cannot be canonicalised as JSON', { where: '$' });
  }
  return text;
}

/** UTF-8 bytes of {@link canonicalJson}. */
export function canonicalJsonBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}

function assertCanonicalisable(value: unknown, path: string): void {
  if (value === null) return;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) {
        throw new GateError('E_INPUT', `number ${value} has no JSON form`, { where: path });
      }
      return;
    case 'object':
      if (Array.isArray(value)) {
        value.forEach((v, i) => assertCanonicalisable(v, `${path}[${i}]`));
      } else {
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
          if (v === undefined) continue; // dropped, as JSON.stringify does
          assertCanonicalisable(v, `${path}.${k}`);
        }
      }
      return;
    default:
      throw new GateError('E_INPUT', `${typeof value} has no JSON form`, { where: path });
  }
}
