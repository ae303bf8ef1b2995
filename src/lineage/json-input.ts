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
  return parseJsonObject(text, where, what, {
    isFile: !inline,
    hint: inline
      ? `give ${what} as a JSON object, inline ('{"lr": 0.01}') or as a file path`
      : `fix the JSON in ${value}, or give ${what} inline ('{"lr": 0.01}')`,
  });
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

/**
 * Parses JSON text that must be an object, naming where it came from (for a
 * file, with `:line:column` of a syntax error when the parser gives it) and
 * giving `hint` for what to do.
 */
export function parseJsonObject(
  text: string,
  where: string,
  what = 'the value',
  opts: { hint?: string; /** `where` is a file: add `:line:column` to it. */ isFile?: boolean } = {},
): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    throw new GateError('E_JSON', `not valid JSON: ${message.replace(/ \(line \d+ column \d+\)$/, '')}`, {
      where: opts.isFile ? `${where}${lineColumn(text, message)}` : where,
      hint: opts.hint ?? `${what} must be a JSON object`,
    });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new GateError('E_JSON', `${what} must be a JSON object`, { where, hint: opts.hint });
  }
  return parsed as Record<string, unknown>;
}

/** `:line:column` (1-based) of the offset a JSON.parse message names, or '' when it names none. */
function lineColumn(text: string, message: string): string {
  const m = / at position (\d+)/.exec(message);
  if (!m) return message.includes('Unexpected end of JSON input') ? endOf(text) : '';
  const before = text.slice(0, Number(m[1]));
  const lines = before.split('\n');
  return `:${lines.length}:${lines.at(-1)!.length + 1}`;
}

function endOf(text: string): string {
  const lines = text.split('\n');
  return `:${lines.length}:${lines.at(-1)!.length + 1}`;
}
