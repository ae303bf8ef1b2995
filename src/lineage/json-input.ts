import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { GateError } from '../core/errors.js';
import { fsError } from './fs-errors.js';

/**
 * Reads an option that is either inline JSON (text starting with `{` or `[`) or the
 * path of a JSON file, and insists on a JSON object. `what` names the option
 * in errors.
 */
export async function readJsonObjectOption(value: string, what: string, cwd: string): Promise<Record<string, unknown>> {
  const inline = jsonOptionFile(value) === undefined;
  let text = value;
  const where = inline ? what : value;
  if (!inline) {
    try {
      text = await readFile(resolve(cwd, value), 'utf8');
    } catch (e) {
      throw fsError(e, value);
    }
  }
  return parseJsonObject(text, where, what);
}

/**
 * The file an option {@link readJsonObjectOption} reads names, or undefined
 * when the value is inline JSON (text starting with `{` or `[`; a file name
 * never starts with those in practice).
 */
export function jsonOptionFile(value: string): string | undefined {
  return /^\s*[{[]/.test(value) ? undefined : value;
}

/**
 * The files among JSON options (`[what, value]` pairs, value possibly
 * absent), as inputs `record` must not overwrite.
 */
export function jsonOptionFiles(options: [what: string, value: string | undefined][]): { what: string; path: string }[] {
  return options.flatMap(([what, v]) => {
    const path = v === undefined ? undefined : jsonOptionFile(v);
    return path === undefined ? [] : [{ what, path }];
  });
}

/** Parses JSON text that must be an object, naming where it came from. */
export function parseJsonObject(text: string, where: string, what = 'the value'): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new GateError('E_JSON', `not valid JSON: ${(e as Error).message}`, {
      where,
      hint: `give ${what} as a JSON object, inline ('{"lr": 0.01}') or as a file path`,
    });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new GateError('E_JSON', `${what} must be a JSON object`, { where });
  }
  return parsed as Record<string, unknown>;
}
