import { GateError } from '../../src/core/errors.js';

/**
 * The GateError `p` rejects with. Another error is rethrown and success
 * fails the test: a refusal test must see the refusal itself, with its code.
 */
export async function gateErrorOf(p: Promise<unknown>): Promise<GateError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof GateError) return e;
    throw e;
  }
  throw new Error('expected a GateError, got success');
}
