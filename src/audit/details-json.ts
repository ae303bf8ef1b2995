/**
 * Reading `details` given as JSON text (`--details`, `@FILE`): refused
 * rather than silently altered. What JSON.parse alone would let through:
 * nesting too deep for any serialiser (checked first, on the text).
 */
import { GateError } from '../core/errors.js';
import { nestsDeeperThan } from './json-depth.js';
import { MAX_RECORD_DEPTH, detailsTooDeep, type JsonObject } from './record.js';

/** Parses details text; `where` names its source (a file, or the flag) in errors. */
export function parseDetailsJson(input: string | Uint8Array, where: string): JsonObject {
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
  if (nestsDeeperThan(text, MAX_RECORD_DEPTH - 1)) throw detailsTooDeep(where);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new GateError('E_JSON', `details are not valid JSON: ${(e as Error).message}`, {
      where,
      hint: 'pass a JSON object, e.g. --details \'{"pull_request": 12}\', or @FILE',
    });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new GateError('E_INPUT', 'details must be a JSON object', { where });
  }
  return parsed as JsonObject;
}
