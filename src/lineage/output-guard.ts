import { lstatSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { GateError } from '../core/errors.js';
import { kindOf } from './fs-errors.js';
import { realPathAllowingMissing } from './real-path.js';
import { recordPath } from './record-path.js';

/** A path `record` reads (`what` names it in errors: "the model", "dataset train"). */
export interface GuardedInput {
  what: string;
  path: string;
}

/** A path `record` writes (`flag` names it in errors: "--out"). */
export interface GuardedOutput {
  flag: string;
  path: string;
}

/**
 * Whether `path` is `dir` itself or lies inside it, both absolute and
 * normalised, compared by whole path segments: `/d/train-x` is not inside
 * `/d/train`, while `/d/train/..md.json` is (`..md.json` is a file name, not
 * a parent reference). Pure.
 */
export function isSameOrInside(path: string, dir: string): boolean {
  const p = path.split(sep).filter((s) => s !== '');
  const d = dir.split(sep).filter((s) => s !== '');
  return d.length <= p.length && d.every((s, i) => p[i] === s);
}

/** Why writing the outputs would destroy or change an input (indices into the lists given). */
export type OutputClash =
  | { kind: 'input'; output: number; input: number; inside: boolean }
  | { kind: 'outputs'; first: number; second: number };

/**
 * The first clash between output and input paths that are already canonical
 * (symbolic links resolved): an output equal to or inside an input (it would
 * replace the input, or change a directory's digest), or two outputs that are
 * one file (the second write would replace the first). Pure.
 */
export function findOutputClash(outputs: readonly string[], inputs: readonly string[]): OutputClash | undefined {
  for (let o = 0; o < outputs.length; o++) {
    for (let i = 0; i < inputs.length; i++) {
      if (isSameOrInside(outputs[o]!, inputs[i]!)) return { kind: 'input', output: o, input: i, inside: outputs[o] !== inputs[i] };
    }
  }
  for (let a = 0; a < outputs.length; a++) {
    for (let b = a + 1; b < outputs.length; b++) {
      if (outputs[a] === outputs[b]) return { kind: 'outputs', first: a, second: b };
    }
  }
  return undefined;
}

/**
 * Refuses (E_USAGE, exit 2) outputs that would overwrite or change an input,
 * before anything is hashed or written. Paths are resolved against `cwd` with
 * `path.resolve` (as the writer resolves them), then every symbolic link in
 * them is resolved, so neither a link nor a `dir/../` spelling slips past.
 */
export function assertOutputsSafe(cwd: string, outputs: GuardedOutput[], inputs: GuardedInput[]): void {
  for (const o of outputs) {
    // The atomic write renames over the path: a FIFO, socket or device node
    // there would be replaced (as root, even /dev/full). A directory fails on
    // its own, with its own message.
    let kind: ReturnType<typeof kindOf> | undefined;
    try {
      kind = kindOf(lstatSync(resolve(cwd, o.path)));
    } catch {
      kind = undefined; // absent (or unreadable: the write reports it)
    }
    if (kind === 'FIFO' || kind === 'socket' || kind === 'device' || kind === 'unknown') {
      throw new GateError('E_USAGE', `output ${recordPath(cwd, o.path)} exists and is a ${kind}: only a regular file is replaced`, {
        where: o.flag,
        hint: 'write metadata.json and the statement to a regular file path; nothing was written',
      });
    }
  }
  const real = (p: string): string => realPathAllowingMissing(resolve(cwd, p));
  const clash = findOutputClash(
    outputs.map((o) => real(o.path)),
    inputs.map((i) => real(i.path)),
  );
  if (!clash) return;
  const shown = (p: string): string => recordPath(cwd, p);
  if (clash.kind === 'outputs') {
    const [a, b] = [outputs[clash.first]!, outputs[clash.second]!];
    throw new GateError('E_USAGE', `${a.flag} and ${b.flag} are the same file ${shown(a.path)}`, {
      where: b.flag,
      hint: `give ${b.flag} a path of its own: the second write would replace the first; nothing was written`,
    });
  }
  const out = outputs[clash.output]!;
  const input = inputs[clash.input]!;
  const why = clash.inside
    ? `is inside ${input.what} (${shown(input.path)}), whose digest it would change`
    : `is ${input.what} (${shown(input.path)}): writing it would destroy that input`;
  throw new GateError('E_USAGE', `output ${shown(out.path)} ${why}`, {
    where: out.flag,
    hint: 'write metadata.json (--out) and the statement (--statement) outside the model, the datasets and the input files; nothing was written',
  });
}
