import { ExitCode, isGateError } from '../core/errors.js';
import type { CliIo } from './io.js';

/**
 * Prints what went wrong with a command and returns its exit code: a
 * GateError's own code and description, anything else an internal error
 * (exit 3) with its stack, for a bug report.
 */
export function reportError(e: unknown, io: CliIo): number {
  if (isGateError(e)) {
    io.stderr(`model-gate: ${e.describe()}\n`);
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  io.stderr(`model-gate: internal error: ${err.stack ?? err.message}\n`);
  return ExitCode.serviceFailed;
}
