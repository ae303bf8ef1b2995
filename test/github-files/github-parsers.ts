/**
 * GitHub's own parsers for the files GitHub reads: `@actions/workflow-parser`
 * is the parser behind GitHub's Actions language service (the VS Code
 * extension), with GitHub's schemas for workflows (workflow-v1.0) and action
 * metadata (action-v1.0). A file they reject is a file GitHub rejects.
 */
import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { parseAction } from '@actions/workflow-parser/actions/action-parser';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from lib/test/github-files). */
export const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Every error GitHub's parser reports for an action metadata file. */
export function actionErrors(name: string, content: string): string[] {
  const r = parseAction({ name, content }, new NoOperationTraceWriter());
  return r.context.errors.getErrors().map((e) => e.message);
}

/** Every error GitHub's parser reports for a workflow file. */
export function workflowErrors(name: string, content: string): string[] {
  const r = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  return r.context.errors.getErrors().map((e) => e.message);
}

/** Workflow files (`*.yml`, `*.yaml`) under every `.github/workflows` below `dir`. */
export function workflowFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      if (name === 'node_modules' || name === '.git') continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(name) && /(^|\/)\.github\/workflows$/.test(relative(root, d))) out.push(relative(root, p));
    }
  };
  walk(dir);
  return out.sort();
}

export function readRepoFile(path: string): string {
  return readFileSync(join(root, path), 'utf8');
}
