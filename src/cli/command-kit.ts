/**
 * What every command file uses to declare its commands: the run state an
 * action sets, the wrapper that carries its exit code back to `runCli`, and
 * the option parsers that name the flag at fault. Kept apart from
 * program.ts, which loads the command files: they import this, not it.
 */
import { GateError } from '../core/errors.js';
import type { CliIo } from './io.js';

/**
 * A command handler's result: the exit code. Handlers throw GateError for
 * input and service problems; a verification failure is a returned 1, since
 * the findings were already printed.
 */
export type CommandResult = number;

/** State a command handler sets so `runCli` can return its exit code. */
export interface CliRun {
  io: CliIo;
  exitCode: number;
}

/** Wraps an async action so its returned exit code reaches `runCli`. */
export function action<A extends unknown[]>(
  run: CliRun,
  fn: (...args: A) => Promise<CommandResult>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    run.exitCode = await fn(...args);
  };
}

/** Parses a repeatable option into an array (commander's collector). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Parses a non-negative integer option, naming the flag when it is not one. */
export function integerOption(flag: string): (value: string) => number {
  return (value: string) => {
    if (!/^\d+$/.test(value)) {
      throw new GateError('E_USAGE', `${flag} takes a whole number, got ${JSON.stringify(value)}`);
    }
    return Number(value);
  };
}

/**
 * Parses an option that must not be empty, naming the flag: an unset shell
 * variable (`--actor "$USER"` where USER is unset) arrives as "".
 */
export function nonEmptyOption(flag: string, example: string): (value: string) => string {
  return (value: string) => {
    if (value.trim() === '') {
      throw new GateError('E_USAGE', `${flag} is empty`, {
        hint: `give it a value, e.g. ${flag} ${example} (a shell variable that is not set expands to nothing)`,
      });
    }
    return value;
  };
}
