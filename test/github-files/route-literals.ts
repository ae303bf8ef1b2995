/**
 * The REST routes a source file calls, read from its syntax tree: every string
 * literal of the form `METHOD /path` (Octokit's route spelling). Comments and
 * built URLs (`GET ${next}`, pagination) are not routes.
 */
import ts from 'typescript';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { root } from './github-parsers.js';

const ROUTE = /^(GET|POST|PUT|PATCH|DELETE) \/[^\s]*$/;

/** Route literals per file (paths relative to the repository root). */
export function routeLiterals(files: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of files) {
    const src = ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.ES2022, true);
    const found = new Set<string>();
    const visit = (n: ts.Node): void => {
      if ((ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) && ROUTE.test(n.text)) found.add(n.text);
      ts.forEachChild(n, visit);
    };
    visit(src);
    out.set(file, [...found].sort());
  }
  return out;
}

/** `.ts` files under a source folder, relative to the repository root. */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.ts')) out.push(relative(root, p));
    }
  };
  walk(join(root, dir));
  return out.sort();
}

/**
 * `entries` and every source file they import, directly or not (static and
 * dynamic imports, relative ones only: a package is not ours): the code a
 * front runs, wherever its GitHub calls live (src/github).
 */
export function importClosure(entries: string[]): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const info = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
    for (const ref of info.importedFiles) {
      if (!ref.fileName.startsWith('.')) continue;
      visit(normalize(join(dirname(file), ref.fileName.replace(/\.js$/, '.ts'))));
    }
  };
  for (const e of entries) visit(e);
  return [...seen].sort();
}
