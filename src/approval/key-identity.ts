/**
 * One identity per key pair, whatever format it was written in: the SHA-256
 * of its SubjectPublicKeyInfo. An SSH line, an allowed-signers entry and a
 * JWK of the same key get the same identity, so "one key counts for one
 * approver" cannot be sidestepped by registering a key in two forms.
 */
import { createHash, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';

const cache = new WeakMap<KeyObject, string>();

/** `spki-sha256:<hex>` of a public key. */
export function keyIdentity(key: KeyObject): string {
  let id = cache.get(key);
  if (id === undefined) {
    id = `spki-sha256:${createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('hex')}`;
    cache.set(key, id);
  }
  return id;
}

/** {@link keyIdentity} of a public JWK, or undefined when Node cannot import it. */
export function jwkIdentity(jwk: JsonWebKey): string | undefined {
  try {
    return keyIdentity(createPublicKey({ key: jwk, format: 'jwk' }));
  } catch {
    return undefined;
  }
}
