import { hexOf } from '../core/digest.js';
import { LINEAGE_PREDICATE_TYPE, type LineageMetadata } from './metadata-types.js';

/** An in-toto Statement v1 whose predicate is metadata.json. */
export interface LineageStatement {
  _type: 'https://in-toto.io/Statement/v1';
  subject: { name: string; digest: Record<string, string> }[];
  predicateType: typeof LINEAGE_PREDICATE_TYPE;
  predicate: LineageMetadata;
}

/**
 * Wraps metadata.json in an in-toto Statement v1 so attestation tools can
 * carry and sign it. The subject is the model: `sha256` (lowercase hex) for a
 * file, which is what `gh attestation verify` and cosign compare; `dirHash`
 * (the in-toto DigestSet name for dirHash1, hex) for a directory.
 */
export function lineageStatement(metadata: LineageMetadata): LineageStatement {
  const hex = hexOf(metadata.model.digest);
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: metadata.model.path, digest: metadata.model.type === 'directory' ? { dirHash: hex } : { sha256: hex } }],
    predicateType: LINEAGE_PREDICATE_TYPE,
    predicate: metadata,
  };
}
