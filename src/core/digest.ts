import { createHash } from 'node:crypto';
import { GateError } from './errors.js';

/** `sha256:<64 lowercase hex>`: the only digest notation this project writes. */
export type Digest = `sha256:${string}`;

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

/** The `prev` of the first record in a chain. */
export const ZERO_DIGEST: Digest = `sha256:${'0'.repeat(64)}`;

export function isDigest(value: unknown): value is Digest {
  return typeof value === 'string' && DIGEST_RE.test(value);
}

/** Parses a digest, naming where it came from when it is malformed. */
export function parseDigest(value: unknown, where?: string): Digest {
  if (isDigest(value)) return value;
  throw new GateError('E_INPUT', `not a digest: ${JSON.stringify(value)}`, {
    where,
    hint: 'write digests as sha256:<64 lowercase hex digits>',
  });
}

export function digestFromHex(hex: string): Digest {
  return parseDigest(`sha256:${hex}`);
}

export function hexOf(digest: Digest): string {
  return digest.slice('sha256:'.length);
}

/** SHA-256 of bytes (or UTF-8 text) in digest notation. */
export function sha256(data: string | Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
