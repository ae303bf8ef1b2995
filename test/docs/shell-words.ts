/**
 * What a POSIX shell (bash, zsh) would do to a command line's unquoted words,
 * as far as a user pasting an example could be surprised: a glob (`?`, `*`,
 * `[`: zsh stops with "no matches found" on `s3://b/p?region=x`), a redirect
 * inside a word (`sha256:<64 hex>`), an unquoted `$VAR` or `$(...)` (split
 * into several words, or none when unset), a brace list (`{a,b}`).
 */
export interface ShellProblem {
  word: string;
  why: string;
}

const OPERATORS = new Set(['|', '||', '&&', ';', '&', '>', '>>', '<', '2>', '2>&1', '>&2', '1>&2', '\\']);

/**
 * The end (exclusive) of a `$(...)`, `$((...))` or `${...}` starting at `i`
 * (the `$`): quotes inside it are its own, and it nests.
 */
function expansionEnd(line: string, i: number): number {
  const open = line[i + 1];
  const close = open === '{' ? '}' : ')';
  let depth = 0;
  let quote = '';
  for (let j = i + 1; j < line.length; j++) {
    const c = line[j];
    if (quote) {
      if (c === quote) quote = '';
      else if (quote === '"' && c === '\\') j++;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '\\') j++;
    else if (c === '$' && (line[j + 1] === '(' || line[j + 1] === '{')) j = expansionEnd(line, j) - 1;
    else if (c === open) depth++;
    else if (c === close && --depth === 0) return j + 1;
  }
  return line.length;
}

/** Test brackets are commands, not globs. */
const TEST_WORDS = new Set(['[', '[[', ']', ']]']);

/**
 * Problems with one command line (continuations already joined). Comments
 * are ignored. Globs a script means are not problems: the words of a
 * `for NAME in ...` list and `case` patterns (a word ending in `)`).
 */
export function shellProblems(line: string): ShellProblem[] {
  const problems: ShellProblem[] = [];
  const words: string[] = [];
  let word = '';
  let raw = ''; // the unquoted characters of the current word, in place ('' for quoted ones)
  let quote: '' | "'" | '"' = '';
  const intendedGlob = (): boolean => {
    const forAt = words.lastIndexOf('for');
    if (forAt >= 0 && words[forAt + 2] === 'in' && !words.slice(forAt + 3).some((w) => w === ';' || w.endsWith(';') || w === 'do')) return true;
    return words.includes('case') && word.endsWith(')');
  };
  const flush = (): void => {
    if (word !== '' && !OPERATORS.has(word)) {
      const assignment = /^[A-Za-z_][A-Za-z0-9_]*=/.test(word);
      if (/[?*[]/.test(raw) && !TEST_WORDS.has(word) && !intendedGlob()) problems.push({ word, why: 'unquoted glob character (? * [)' });
      if (/.[<>]/.test(raw) && !/^[0-9]?[<>]/.test(raw)) problems.push({ word, why: 'unquoted < or > inside a word is a redirect' });
      if (!assignment && raw.includes('$') && !(words.includes('case') && word.endsWith(')'))) problems.push({ word, why: 'unquoted $ expansion: quote it ("$VAR", "$(cmd)")' });
      if (/\{[^}]*,[^}]*\}/.test(raw)) problems.push({ word, why: 'unquoted {a,b} is a brace expansion' });
    }
    if (word !== '') words.push(word);
    word = '';
    raw = '';
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '$' && (line[i + 1] === '(' || line[i + 1] === '{') && quote !== "'") {
      // One expansion, whatever quotes it holds. Arithmetic gives a number: nothing to split or glob.
      const end = expansionEnd(line, i);
      const text = line.slice(i, end);
      word += text;
      raw += quote || text.startsWith('$((') ? ' '.repeat(text.length) : `$${' '.repeat(text.length - 1)}`;
      i = end - 1;
      continue;
    }
    if (quote) {
      if (c === quote) quote = '';
      else if (quote === '"' && c === '\\') i++;
      word += c;
      raw += ' ';
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      word += c;
      raw += ' ';
    } else if (c === '\\') {
      word += c + (line[i + 1] ?? '');
      raw += '  ';
      i++;
    } else if (/\s/.test(c)) {
      flush();
    } else if (c === '#' && word === '') {
      break; // a comment
    } else {
      word += c;
      raw += c;
    }
  }
  flush();
  return problems;
}

/** The command lines of ```sh / ```bash / ```shell blocks in a Markdown text, continuations joined. */
export function shellBlockLines(markdown: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  const lines = markdown.split('\n');
  let inBlock = false;
  let pending = '';
  let startLine = 0;
  lines.forEach((l, i) => {
    if (/^\s*```/.test(l)) {
      inBlock = !inBlock && /^\s*```(sh|bash|shell|console)\s*$/.test(l);
      return;
    }
    if (!inBlock) return;
    if (pending === '') startLine = i + 1;
    if (/\\\s*$/.test(l) && !/#.*\\\s*$/.test(l)) {
      pending += l.replace(/\\\s*$/, ' ');
      return;
    }
    if (quoteOpen(pending + l)) {
      pending += `${l}\n`; // a quoted string goes on over the next line
      return;
    }
    out.push({ line: startLine, text: pending + l });
    pending = '';
  });
  return out;
}

/** Whether a quote is still open at the end of `text`. */
function quoteOpen(text: string): boolean {
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = '';
      else if (quote === '"' && c === '\\') i++;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '\\') i++;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      const nl = text.indexOf('\n', i);
      if (nl < 0) return false;
      i = nl;
    }
  }
  return quote !== '';
}
