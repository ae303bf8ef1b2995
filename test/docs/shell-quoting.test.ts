/**
 * Every command the project tells a user to type, as a shell would read it:
 * the README's and the docs' shell blocks, each command's --help example,
 * and the commands the example script echoes. None may hide a glob, a
 * redirect or an unquoted expansion (the first build's README had
 * `s3://...?region=` unquoted, which zsh refuses, and `--actor "$USER"`).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HELP_EXAMPLES } from '../../src/cli/help-examples.js';
import { shellBlockLines, shellProblems } from './shell-words.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function markdownFiles(): string[] {
  const out = ['README.md'];
  const walk = (d: string): void => {
    for (const n of readdirSync(join(root, d))) {
      const p = join(d, n);
      if (statSync(join(root, p)).isDirectory()) walk(p);
      else if (n.endsWith('.md')) out.push(p);
    }
  };
  walk('docs');
  walk('examples');
  return out;
}

describe('the shell checker', () => {
  test.each([
    ['model-gate report --store s3://a/b?region=eu-west-1', /glob/],
    ['model-gate audit append --subject sha256:<64 hex>', /redirect/],
    ['model-gate audit append --actor $USER', /unquoted \$/],
    ['cp x.{json,yml} out/', /brace/],
    ['model-gate verify --store $(pick-store) --json', /unquoted \$/],
    ['for f in a; do rm models/*.pt; done', /glob/],
  ])('flags %s', (line, why) => {
    expect(shellProblems(line).map((p) => p.why).join(' ')).toMatch(why);
  });

  test.each([
    'model-gate report --store "s3://a/b?region=eu-west-1" --out r.html   # a comment with ? and $X',
    'model-gate approve --statement-only > statement.json',
    'model-gate release --actor "$(git config user.email || id -un)"',
    "find . -name '*.pt' | sort",
    'B=$(cat bootstrap.txt)',
    '[ "$(jq -r .seq "$f")" = "$n" ] || { echo "$f: seq is not $n"; exit 1; }',
    'for f in entries/*.json; do echo "$f"; done',
    'tail -c +$((i*1000000000+1)) "$f" | head -c 1000',
    'case "$out" in *"$(jq -r .fp "$rec")"*) ;; *) exit 1;; esac',
  ])('passes %s', (line) => {
    expect(shellProblems(line)).toEqual([]);
  });
});

test.each(markdownFiles())('shell blocks in %s quote what a shell would expand', (file) => {
  const problems = shellBlockLines(readFileSync(join(root, file), 'utf8')).flatMap(({ line, text }) =>
    shellProblems(text).map((p) => `${file}:${line}: ${p.word}: ${p.why}`),
  );
  expect(problems).toEqual([]);
});

test('every --help example quotes what a shell would expand', () => {
  const problems = Object.entries(HELP_EXAMPLES).flatMap(([cmd, example]) =>
    shellProblems(example.replace(/\\\n/g, ' ')).map((p) => `${cmd}: ${p.word}: ${p.why}`),
  );
  expect(problems).toEqual([]);
});

test('the example script echoes the commands it runs with their arguments quoted', async () => {
  const { shellQuote } = await import(join(root, 'scripts', 'shell-quote.mjs'));
  expect(shellQuote(['audit', 'append', '--action', 'release models/credit-risk/model.pt', '--store', '../../.audit']))
    .toBe("audit append --action 'release models/credit-risk/model.pt' --store ../../.audit");
  expect(shellQuote(["it's"])).toBe("'it'\\''s'");
  expect(relative(root, join(root, 'scripts', 'example.mjs'))).toBe('scripts/example.mjs');
  expect(readFileSync(join(root, 'scripts', 'example.mjs'), 'utf8')).toContain('shellQuote(args)');
});
