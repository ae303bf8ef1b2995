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

/** GLOB_OPTIONS for matching: case-insensitive (inside bracket expressions; the rest is case-folded first). */
export const MATCH_OPTIONS = { ...GLOB_OPTIONS, nocase: true } as const;

const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * The spelling paths and globs are compared in: NFC, without
 * default-ignorable code points. Idempotent (a property test checks it).
 */
export function pathKey(path: string): string {
  // ASCII is already NFC and holds no default-ignorable code point (the first is U+00AD).
  if (ASCII.test(path)) return path;
  let prev = path;
  for (;;) {
    const next = prev.replace(IGNORABLE, '').normalize('NFC');
    if (next === prev) return next;
    prev = next;
  }
}

/**
 * One letter's case-folded form: lower case of its upper case, so that
 * `ς`, `σ` and `Σ`, or `K` and the Kelvin sign, fold alike (letters outside
 * the BMP too, which a regular expression's `i` flag does not fold). Where
 * the upper case is longer (`ß` → `SS`) the lower case is used; full case
 * folding (`ß` = `ss`) is not attempted.
 */
function foldChar(c: string): string {
  const one = (s: string): boolean => s.length > 0 && s.length <= 2 && [...s].length === 1;
  const upper = c.toUpperCase();
  if (one(upper) && one(upper.toLowerCase())) return upper.toLowerCase();
  // `ᾈ` upper-cases to two letters; its lower case `ᾀ` still folds with it.
  const lower = c.toLowerCase();
  return one(lower) ? lower : c;
}

const ASCII = /^[\x00-\x7f]*$/;
/** Folded letters outside ASCII (bounded: paths repeat few distinct letters). */
const folded = new Map<string, string>();

/** A path case-folded for matching (after {@link pathKey}). Idempotent. */
export function foldCase(text: string): string {
  if (ASCII.test(text)) return text.toLowerCase();
  let out = '';
  for (const c of text) {
    if (c.charCodeAt(0) < 0x80) {
      out += c.toLowerCase();
      continue;
    }
    let f = folded.get(c);
    if (f === undefined) {
      f = foldChar(c);
      if (folded.size < 65536) folded.set(c, f);
    }
    out += f;
  }
  return out;
}

/**
 * A glob case-folded like the paths it must match, except inside bracket
 * expressions (`[A-Z]`: folding a range's ends could change the range), which
 * the matcher compares without regard to case instead.
 */
function foldGlob(glob: string): string {
  const cs = [...glob];
  let out = '';
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i];
    if (c === '\\' && i + 1 < cs.length) {
      out += c + foldChar(cs[++i]);
    } else if (c === '[') {
      // Copy the bracket expression as written: up to the first unescaped ']' after
      // its first character, skipping POSIX classes like [:alpha:].
      let j = i + 1;
      if (cs[j] === '!' || cs[j] === '^') j++;
      if (cs[j] === ']') j++;
      for (; j < cs.length && cs[j] !== ']'; j++) {
        if (cs[j] === '\\') j++;
        else if (cs[j] === '[' && cs[j + 1] === ':') {
          const close = cs.indexOf(':', j + 2);
          if (close > 0 && cs[close + 1] === ']') j = close + 1;
        }
      }
      if (j >= cs.length) {
        out += foldCase(cs.slice(i).join(''));
        break;
      }
      out += cs.slice(i, j + 1).join('');
      i = j;
    } else {
      out += foldChar(c);
    }
  }
  return out;
}

/**
 * A matcher for `globs` plus the `exact` paths (compared as paths, never
 * read as globs), both under {@link pathKey} and case folding.
 */
export function pathMatcher(globs: readonly string[], exact: readonly string[] = []): (path: string) => boolean {
  const files = new Set(exact.map((f) => foldCase(pathKey(f))));
  // A glob made only of invisible code points names nothing (and picomatch refuses an empty glob).
  const patterns = globs.map((g) => foldGlob(pathKey(g))).filter((g) => g.length > 0);
  const compiled = patterns.map((g) => {
    try {
      // debug: picomatch otherwise turns a regular expression it cannot build into /$^/ (never matches).
      return picomatch(g, { ...MATCH_OPTIONS, debug: true });
    } catch {
      // The policy parser refuses such globs; one that gets here anyway protects everything (fail closed).
      return () => true;
    }
  });
  const m = (key: string): boolean => compiled.some((c) => c(key));
  // One evaluation asks about the same paths for several checks: answer each once.
  const memo = new Map<string, boolean>();
  return (p) => {
    let hit = memo.get(p);
    if (hit === undefined) {
      const key = foldCase(pathKey(p));
      hit = files.has(key) || m(key);
      if (memo.size < 100_000) memo.set(p, hit);
    }
    return hit;
  };
}
