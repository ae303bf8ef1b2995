/**
 * How a repository path is matched against the policy's globs. A protected
 * path must not escape by its spelling: `Models/Policy.pt`, `weights.PT` or
 * an NFD `modèles/` are the same file to a case-insensitive or
 * normalisation-insensitive checkout (macOS, Windows) and to a loader that
 * looks names up loosely, so matching ignores case, compares in Unicode NFC
 * and drops default-ignorable code points (zero-width spaces, soft hyphens,
 * variation selectors), which HFS+ ignores too and which no reader sees.
 * Matching more spellings can only make more pull requests releases, never
 * fewer: there is no opt-out.
 */
import picomatch from 'picomatch';

/** Options every glob of a policy is compiled with: dot files included, brackets strict. */
export const GLOB_OPTIONS = { dot: true, strictBrackets: true } as const;

/** GLOB_OPTIONS for matching: case-insensitive (the path and the glob are both {@link pathKey}ed first). */
export const MATCH_OPTIONS = { ...GLOB_OPTIONS, nocase: true } as const;

const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * The spelling paths and globs are compared in: NFC, without
 * default-ignorable code points. Idempotent (a property test checks it).
 */
export function pathKey(path: string): string {
  let prev = path;
  for (;;) {
    const next = prev.replace(IGNORABLE, '').normalize('NFC');
    if (next === prev) return next;
    prev = next;
  }
}

/** A glob that matches exactly `path` (every character but letters, digits, `/`, `_` and `-` escaped). */
export function literalGlob(path: string): string {
  return pathKey(path).replace(/[^\p{L}\p{N}/_-]/gu, (c) => `\\${c}`);
}

/**
 * A matcher for `globs` plus the `exact` paths, comparing under
 * {@link pathKey} and without regard to case.
 */
export function pathMatcher(globs: readonly string[], exact: readonly string[] = []): (path: string) => boolean {
  const patterns = [...globs.map(pathKey), ...exact.map(literalGlob)];
  if (patterns.length === 0) return () => false;
  const m = picomatch(patterns, MATCH_OPTIONS);
  return (p) => m(pathKey(p));
}
