/**
 * The layout docs/design.md draws, checked on the import graph of src/:
 * fronts (action, app, cli) above capabilities (lineage, audit, approval,
 * deploy, report; audit and lineage below the other three) above core; one GitHub edge (src/github) that only fronts
 * and deploy use; no front importing another; no circle. And the edge is the
 * only place that calls GitHub's REST API.
 */
import ts from 'typescript';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { root } from '../github-files/github-parsers.js';
import { routeLiterals, sourceFiles } from '../github-files/route-literals.js';

const FRONTS = ['action', 'app', 'cli'];
const CAPABILITIES = ['lineage', 'audit', 'approval', 'deploy', 'report'];

/**
 * Every src file and the src files it imports (static, re-exported and
 * dynamic; relative only). `import type` edges are kept apart: tsc erases
 * them, so they make no circle at run time.
 */
function importGraph(): { all: Map<string, string[]>; running: Map<string, string[]> } {
  const all = new Map<string, string[]>();
  const running = new Map<string, string[]>();
  for (const file of sourceFiles('src')) {
    const src = ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.ES2022, true);
    const resolve = (spec: string) => normalize(join(dirname(file), spec.replace(/\.js$/, '.ts')));
    const every: string[] = [];
    const runs: string[] = [];
    const add = (spec: string, typeOnly: boolean) => {
      if (!spec.startsWith('.')) return;
      every.push(resolve(spec));
      if (!typeOnly) runs.push(resolve(spec));
    };
    const visit = (n: ts.Node): void => {
      if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier)) add(n.moduleSpecifier.text, n.importClause?.isTypeOnly ?? false);
      else if (ts.isExportDeclaration(n) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) add(n.moduleSpecifier.text, n.isTypeOnly);
      else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments[0] && ts.isStringLiteral(n.arguments[0])) add(n.arguments[0].text, false);
      ts.forEachChild(n, visit);
    };
    visit(src);
    all.set(file, every);
    running.set(file, runs);
  }
  return { all, running };
}

/** `src/<area>/...` → area (`index` for src/index.ts). */
const area = (file: string): string => (file.split('/').length > 2 ? file.split('/')[1] : 'index');

const { all: graph, running } = importGraph();
const edges = [...graph].flatMap(([from, tos]) => tos.map((to) => ({ from, to, a: area(from), b: area(to) })));
const show = (es: typeof edges) => es.map((e) => `${e.from} -> ${e.to}`);

describe('the import graph of src/ (docs/design.md §2)', () => {
  it('core imports nothing of ours', () => {
    expect(show(edges.filter((e) => e.a === 'core' && e.b !== 'core'))).toEqual([]);
  });

  it('no capability imports a front', () => {
    expect(show(edges.filter((e) => CAPABILITIES.includes(e.a) && FRONTS.includes(e.b)))).toEqual([]);
  });

  it('among the capabilities, audit and lineage are the ground: they import no other capability', () => {
    // approval, deploy and report record into audit and read lineage; audit knowing a verdict
    // (src/audit/verdict-records.ts importing approval's types) ran the arrow back up.
    expect(show(edges.filter((e) => ['audit', 'lineage'].includes(e.a) && CAPABILITIES.includes(e.b) && e.a !== e.b))).toEqual([]);
  });

  it('no front imports another front', () => {
    expect(show(edges.filter((e) => FRONTS.includes(e.a) && FRONTS.includes(e.b) && e.a !== e.b))).toEqual([]);
  });

  it('the GitHub edge is used only by the fronts and deploy, and uses no front', () => {
    expect(show(edges.filter((e) => e.b === 'github' && ![...FRONTS, 'deploy', 'github'].includes(e.a)))).toEqual([]);
    expect(show(edges.filter((e) => e.a === 'github' && FRONTS.includes(e.b)))).toEqual([]);
  });

  it('has no circle of imports that run (type-only imports are erased)', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string): void => {
      state.set(f, 'open');
      stack.push(f);
      for (const t of running.get(f) ?? []) {
        if (state.get(t) === 'open') cycles.push([...stack.slice(stack.indexOf(t)), t].join(' -> '));
        else if (!state.has(t)) visit(t);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of running.keys()) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it('only src/github calls GitHub\'s REST API (route literals)', () => {
    const outside = [...routeLiterals(sourceFiles('src'))]
      .filter(([file, routes]) => routes.length > 0 && !file.startsWith('src/github/'))
      .map(([file]) => file);
    expect(outside).toEqual([]);
  });
});
