/**
 * Reading `details` given as JSON text (`--details`, `@FILE`): refused,
 * naming the place, rather than silently altered. JSON.parse alone would
 * replace invalid UTF-8 with U+FFFD, round integers beyond 2^53 to the
 * nearest double, keep the last of two equal keys, and accept lone
 * surrogates, which RFC 8785 (the record's canonical form) and I-JSON
 * (RFC 7493) forbid; and nesting deeper than any serialiser can walk.
 */
import { isUtf8 } from 'node:buffer';
import jsonc from 'jsonc-parser';
import { GateError } from '../core/errors.js';
import { nestsDeeperThan } from './json-depth.js';
import { MAX_RECORD_DEPTH, detailsTooDeep, type JsonObject } from './record.js';
import { loneSurrogate } from './unicode.js';

const hex = (c: number): string => c.toString(16).toUpperCase().padStart(4, '0');

/** 1-based line of a byte offset. */
function lineOfByte(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** The offset of the first byte that is not part of valid UTF-8. */
function firstInvalidByte(bytes: Buffer): number {
  const back = Buffer.from(bytes.toString('utf8'), 'utf8');
  let i = 0;
  while (i < bytes.length && i < back.length && bytes[i] === back[i]) i++;
  return i;
}

/** Parses details text; `where` names its source (a file, or the flag) in errors, with line and column. */
export function parseDetailsJson(input: string | Uint8Array, where: string): JsonObject {
  if (typeof input !== 'string') {
    const bytes = Buffer.from(input.buffer, input.byteOffset, input.length);
    if (!isUtf8(bytes)) {
      const at = firstInvalidByte(bytes);
      throw new GateError('E_INPUT', `details are not valid UTF-8 (byte ${at})`, {
        where: `${where}:${lineOfByte(bytes, at)}`,
        hint: 'save the file as UTF-8; read as text, the invalid bytes would silently become U+FFFD',
      });
    }
  }
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
  // Before any parser: they recurse (jsonc-parser's visitor too).
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
  checkStrict(text, where);
  return parsed as JsonObject;
}

/** What JSON.parse accepted but would alter: the first such place is refused. */
function checkStrict(text: string, where: string): void {
  let problem: { message: string; line: number; col: number; hint: string } | null = null;
  const keys: Array<Set<string>> = [];
  const fail = (message: string, line: number, col: number, hint: string): void => {
    problem ??= { message, line: line + 1, col: col + 1, hint };
  };
  jsonc.visit(
    text,
    {
      onObjectBegin: () => void keys.push(new Set()),
      onObjectEnd: () => void keys.pop(),
      onObjectProperty: (name, _offset, _length, line, col) => {
        const seen = keys[keys.length - 1];
        if (seen.has(name)) fail(`duplicate key ${JSON.stringify(name)} (JSON.parse would keep the last value)`, line, col, 'give every key of an object once');
        seen.add(name);
        const lone = loneSurrogate(name);
        if (lone !== null) fail(`a key holds a lone surrogate (U+${hex(lone)}), which RFC 8785 forbids`, line, col, 'write characters outside the BMP as a surrogate pair, or as UTF-8');
      },
      onLiteralValue: (value, offset, length, line, col) => {
        if (typeof value === 'string') {
          const lone = loneSurrogate(value);
          if (lone !== null) fail(`a string holds a lone surrogate (U+${hex(lone)}), which RFC 8785 forbids`, line, col, 'write characters outside the BMP as a surrogate pair, or as UTF-8');
        } else if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
          const raw = text.slice(offset, offset + length);
          fail(
            `the number ${raw} is beyond 2^53 - 1 and would be stored as ${JSON.stringify(value)}`,
            line,
            col,
            'numbers in a record are IEEE 754 doubles (RFC 8785): write large integers (ids, amounts in minor units) as strings',
          );
        }
      },
    },
    { disallowComments: true, allowTrailingComma: false },
  );
  if (problem) {
    const p = problem as { message: string; line: number; col: number; hint: string };
    throw new GateError('E_INPUT', p.message, { where: `${where}:${p.line}:${p.col}`, hint: p.hint });
  }
}
