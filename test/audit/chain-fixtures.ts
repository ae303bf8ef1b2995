/** Valid chains built in memory, for the pure verifier's tests. */
import { ZERO_DIGEST, type Digest } from '../../src/core/digest.js';
import { encodeRecord, recordDigest, RECORD_VERSION } from '../../src/audit/record.js';
import type { EntryObservation } from '../../src/audit/chain-verify.js';

/** The stored bytes of a valid chain of `n` records. */
export function buildChain(n: number, log = 'default', action = (i: number) => `event ${i}`): Buffer[] {
  const out: Buffer[] = [];
  let prev: Digest = ZERO_DIGEST;
  for (let seq = 0; seq < n; seq++) {
    const bytes = encodeRecord({
      v: RECORD_VERSION,
      log,
      seq,
      prev,
      time: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
      event_type: 'model.release',
      component: 'test',
      actor: 'alice',
      action: action(seq),
      subject: [],
      details: { n: seq },
      compliance_tags: ['SOX'],
    });
    out.push(bytes);
    prev = recordDigest(bytes);
  }
  return out;
}

export function observe(chain: (Uint8Array | null)[]): EntryObservation[] {
  return chain.flatMap((bytes, seq) => (bytes === undefined ? [] : [{ seq, bytes }]));
}
