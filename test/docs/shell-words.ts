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

/** Problems with one command line (continuations already joined). Comments are ignored. */
export function shellProblems(line: string): ShellProblem[] {
  const problems: ShellProblem[] = [];
  let word = '';
  let raw = ''; // the unquoted characters of the current word, in place ('' for quoted ones)
  let quote: '' | "'" | '"' = '';
  const flush = (): void => {
    if (word !== '' && !OPERATORS.has(word)) {
      const assignment = /^[A-Za-z_][A-Za-z0-9_]*=/.test(word);
      if (/[?*[]/.test(raw)) problems.push({ word, why: 'unquoted glob character (? * [)' });
      if (/.[<>]/.test(raw) && !/^[0-9]?[<>]/.test(raw)) problems.push({ word, why: 'unquoted < or > inside a word is a redirect' });
      if (!assignment && raw.includes('$')) problems.push({ word, why: 'unquoted $ expansion: quote it ("$VAR", "$(cmd)")' });
      if (/\{[^}]*,[^}]*\}/.test(raw)) problems.push({ word, why: 'unquoted {a,b} is a brace expansion' });
    }
    word = '';
    raw = '';
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
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
