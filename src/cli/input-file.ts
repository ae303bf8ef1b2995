/**
 * Reading a file a command was given (`--policy`, `--facts`, `--details
 * @FILE`, a key, a metadata.json): the one place a missing file becomes
 * `E_NOT_FOUND` and any other read error `E_UNREADABLE` (both exit 2),
 * naming the file and the flag it came from.
 */
import { resolve } from 'node:path';
import { GateError } from '../core/errors.js';

/** The bytes of `file` (relative to `cwd`); `what` names it in the error (`--metadata file`, `the facts file`). */
export async function readInput(cwd: string, file: string, what: string, hint?: string): Promise<Buffer> {
  try {
    // node:fs/promises loads when a file is read, not for `--help`.
    const { readFile } = await import('node:fs/promises');
    return await readFile(resolve(cwd, file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new GateError(code === 'ENOENT' ? 'E_NOT_FOUND' : 'E_UNREADABLE', `cannot read ${what}: ${(e as Error).message}`, {
      where: file,
      cause: e,
      ...(hint && code === 'ENOENT' ? { hint } : {}),
    });
  }
}

/** {@link readInput} as UTF-8 text. */
export async function readInputText(cwd: string, file: string, what: string, hint?: string): Promise<string> {
  return (await readInput(cwd, file, what, hint)).toString('utf8');
}
