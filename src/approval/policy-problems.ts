/**
 * Where a policy problem is: the file, line, column and field of each one,
 * found from the YAML document's nodes for a schema error's JSON pointer, and
 * the schema's errors pruned to the one a policy author can act on.
 */
import type { ErrorObject } from 'ajv';
import { isMap, isSeq, isScalar, type Document, type Node, type Pair } from 'yaml';

/** One thing wrong with a policy file. */
export interface PolicyProblem {
  file: string;
  line: number;
  column: number;
  /** Field path, e.g. `roles[1].count` (empty for the whole document). */
  path: string;
  message: string;
}

/** `file:line:col: path: message`, the form editors and CI annotations understand. */
export function formatProblem(p: PolicyProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

/** A path into the policy: keys and list indexes. */
export type Seg = string | number;


export function dedupe(problems: PolicyProblem[]): PolicyProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = formatProblem(p);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** `roles[1].count` from segments. */
export function pathText(segs: Seg[]): string {
  return segs.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

export function pointerSegments(pointer: string): Seg[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** Keeps one error per place: the one with a custom message where the schema has one. */
export function pruneErrors(errors: ErrorObject[]): ErrorObject[] {
  // An anyOf with its own message replaces the errors of its branches.
  const covered = errors
    .filter((e) => (e.keyword === 'anyOf' || e.keyword === 'oneOf') && hasMessage(e))
    .map((e) => e.instancePath);
  const kept = errors.filter(
    (e) =>
      !(e.keyword === 'anyOf' || e.keyword === 'oneOf') || hasMessage(e),
  ).filter((e) => {
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf') return true;
    return !covered.some((p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`));
  });
  const byPlace = new Map<string, ErrorObject>();
  for (const e of kept) {
    const place =
      e.keyword === 'additionalProperties'
        ? `${e.instancePath}/${String((e.params as { additionalProperty: string }).additionalProperty)}#key`
        : e.instancePath;
    const prev = byPlace.get(place);
    if (!prev || (!hasMessage(prev) && hasMessage(e))) byPlace.set(place, e);
  }
  return [...byPlace.values()];
}

export function hasMessage(e: ErrorObject): boolean {
  return typeof (e.parentSchema as Record<string, unknown> | undefined)?.['x-message'] === 'string';
}

export function schemaMessage(e: ErrorObject): string {
  const custom = (e.parentSchema as Record<string, unknown> | undefined)?.['x-message'];
  if (typeof custom === 'string') return custom;
  switch (e.keyword) {
    case 'type': {
      const t = String((e.params as { type: string }).type);
      const names: Record<string, string> = {
        object: 'a mapping',
        array: 'a list',
        string: 'a string',
        boolean: 'true or false',
        integer: 'an integer',
        number: 'a number',
      };
      return `must be ${names[t] ?? t}`;
    }
    case 'required':
      return `missing required key "${String((e.params as { missingProperty: string }).missingProperty)}"`;
    case 'minItems':
      return 'must not be empty';
    case 'minLength':
      return 'must not be empty';
    case 'uniqueItems':
      return 'must not list the same item twice';
    default:
      return e.message ?? 'is not valid';
  }
}

/** Maps field paths to offsets in the YAML source. */
export class Locator {
  constructor(private readonly doc: Document) {}

  offset(segs: Seg[], onKey: boolean): number {
    let node: unknown = this.doc.contents;
    let best = rangeStart(node) ?? 0;
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i];
      if (isMap(node)) {
        const pair = node.items.find((p: Pair) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) return best;
        const last = i === segs.length - 1;
        if (last && onKey) return rangeStart(pair.key) ?? best;
        node = pair.value;
        best = rangeStart(node) ?? rangeStart(pair.key) ?? best;
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg];
        best = rangeStart(node) ?? best;
      } else {
        return best;
      }
    }
    return best;
  }
}

export function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}

// ---------------------------------------------------------------------------
// Checks the schema cannot express, then normalisation.
// ---------------------------------------------------------------------------

