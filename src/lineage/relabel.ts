import { GateError } from '../core/errors.js';

/** Errors name the path as the user wrote it, not the absolute path opened. */
export function relabel(e: unknown, where: string): unknown {
  if (e instanceof GateError) return new GateError(e.code, e.message, { where, hint: e.hint, cause: e.cause });
  return e;
}
