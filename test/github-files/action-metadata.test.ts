/**
 * `uses: OWNER/model-release-gate@v1` loads action.yml before anything of ours
 * runs: a file GitHub's parser rejects fails every workflow that uses it. So
 * action.yml is checked by GitHub's own action schema, by a strict YAML 1.2
 * parse, and against what the Action's code actually reads and writes.
 */
import { parseDocument } from 'yaml';
import ts from 'typescript';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { actionErrors, readRepoFile, root } from './github-parsers.js';
import { readActionInputs } from '../../src/action/inputs.js';

const text = readRepoFile('action.yml');

describe('action.yml', () => {
  test('passes GitHub\'s action metadata schema (action-v1.0, strict)', () => {
    expect(actionErrors('action.yml', text)).toEqual([]);
  });

  test('a plain scalar with ": " inside (the first build\'s lines 54 and 56) is rejected by the same check', () => {
    const broken = text.replace(/description: >-\n\s+Base branch of the release PR\./, 'description: Base branch of the release PR.');
    expect(broken).not.toBe(text);
    expect(actionErrors('action.yml', broken).join('\n')).toMatch(/line \d+/i);
  });

  test('parses as strict YAML 1.2: no errors, no warnings, no duplicate keys', () => {
    const doc = parseDocument(text, { strict: true, uniqueKeys: true, prettyErrors: true });
    expect(doc.errors.map(String)).toEqual([]);
    expect(doc.warnings.map(String)).toEqual([]);
  });

  test('runs on node24 from the committed bundle', () => {
    const doc = parseDocument(text).toJS() as { runs: { using: string; main: string } };
    expect(doc.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  test('declares exactly the inputs the Action reads', () => {
    const declared = Object.keys((parseDocument(text).toJS() as { inputs: object }).inputs).sort();
    const asked = new Set<string>();
    // A release with open-pr and a Kafka stream reads every input; the values only need to pass the checks.
    const values: Record<string, string> = {
      mode: 'release', model: 'm.pt', 'open-pr': 'true', 'github-token': 't', 'audit-kafka': 'b-1.kafka.internal:9094', 'audit-kafka-topic': 'model-audit',
    };
    readActionInputs((name) => {
      asked.add(name);
      return values[name] ?? '';
    });
    expect([...asked].sort()).toEqual(declared);
  });

  test('declares exactly the outputs the Action sets', () => {
    const declared = Object.keys((parseDocument(text).toJS() as { outputs: object }).outputs).sort();
    const set = new Set<string>();
    const dir = join(root, 'src', 'action');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      const src = ts.createSourceFile(f, readFileSync(join(dir, f), 'utf8'), ts.ScriptTarget.ES2022, true);
      const visit = (n: ts.Node): void => {
        if (ts.isCallExpression(n) && /(^|\.)setOutput$/.test(n.expression.getText(src)) && ts.isStringLiteral(n.arguments[0])) {
          set.add(n.arguments[0].text);
        }
        ts.forEachChild(n, visit);
      };
      visit(src);
    }
    expect([...set].sort()).toEqual(declared);
  });
});
