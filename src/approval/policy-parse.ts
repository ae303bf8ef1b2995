/**
 * Parses `.github/model-release-gate.yml` into the normalised {@link Policy}.
 * Every problem names the file, line and column and the field, e.g.
 * `.github/model-release-gate.yml:7:5: roles[1].count: must be an integer >= 1`,
 * because a policy author fixes them in an editor, not in a JSON path.
 */
import { Ajv } from 'ajv';
import { LineCounter, parseDocument } from 'yaml';
import { GateError } from '../core/errors.js';
// The published schema file is the one source of truth; tsc emits it under lib/schemas/
// (package.json "files" lists it) and the Action's bundler inlines it.
import schema from '../../schemas/policy.schema.json' with { type: 'json' };
import { deploymentChecks } from './deployment-policy.js';
import { POLICY_PATH, type Policy } from './types.js';
import { dedupe, Locator, pathText, pointerSegments, pruneErrors, schemaMessage, formatProblem, type PolicyProblem, type Seg } from './policy-problems.js';
import { semanticChecks } from './policy-semantics.js';
import { normalise } from './policy-normalise.js';

export { formatProblem, type PolicyProblem } from './policy-problems.js';
export { DEFAULT_MODEL_GLOBS, parseThreshold, repoPath } from './policy-normalise.js';
export { GLOB_OPTIONS } from './path-match.js';


const ajv = new Ajv({ allErrors: true, verbose: true, strict: true });
ajv.addKeyword({ keyword: 'x-message', schemaType: 'string' });
const validateSchema = ajv.compile(schema);



/**
 * Validates a policy text and returns either the policy or every problem
 * found (ordered by position). `file` is only used in messages.
 */
export function validatePolicy(
  text: string,
  file: string = POLICY_PATH,
): { policy?: Policy; problems: PolicyProblem[] } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: true });
  const at = (offset: number, path: string, message: string): PolicyProblem => {
    const { line, col } = lc.linePos(offset);
    return { file, line, column: col, path, message };
  };
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const message = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
        return { file, line: pos?.line ?? 1, column: pos?.col ?? 1, path: '', message: `not valid YAML: ${message}` };
      }),
    };
  }
  const locate = new Locator(doc);
  let value: unknown;
  try {
    // Aliases are resolved here: an undefined anchor or an alias bomb is refused, not expanded.
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return { problems: [at(0, '', `not valid YAML: ${(e as Error).message}`)] };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { problems: [at(0, '', 'must be a mapping with at least `version: 1` (see schemas/policy.schema.json)')] };
  }
  const problems: PolicyProblem[] = [];
  const add = (segs: Seg[], message: string, onKey = false): void => {
    problems.push(at(locate.offset(segs, onKey), pathText(segs), message));
  };

  // The two forms are told apart before the schema, so the message says which keys clash.
  const top = value as Record<string, unknown>;
  if ('rules' in top) {
    for (const k of ['protected_paths', 'roles', 'minimum_approvers', 'checks']) {
      if (k in top) add([k], `belongs inside a rule when \`rules:\` is used (move it into each rule)`, true);
    }
  } else if (!('protected_paths' in top) || !('roles' in top)) {
    const missing = ['protected_paths', 'roles'].filter((k) => !(k in top));
    add([], `missing ${missing.join(' and ')} (or a \`rules:\` list)`);
  }

  if (!validateSchema(value)) {
    for (const e of pruneErrors(validateSchema.errors ?? [])) {
      const segs = pointerSegments(e.instancePath);
      const m = schemaMessage(e);
      if (e.keyword === 'additionalProperties') {
        const key = String((e.params as { additionalProperty: string }).additionalProperty);
        const allowed = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
        problems.push(
          at(locate.offset([...segs, key], true), pathText([...segs, key]), `unknown key (allowed here: ${allowed.join(', ')})`),
        );
      } else {
        add(segs, m, e.keyword === 'not');
      }
    }
  }
  if (problems.length === 0) {
    semanticChecks(top, add);
    deploymentChecks(top, add);
  }
  if (problems.length > 0) {
    problems.sort((a, b) => a.line - b.line || a.column - b.column);
    return { problems: dedupe(problems) };
  }
  return { policy: normalise(top, file), problems: [] };
}

/**
 * Parses a policy text; throws `E_POLICY_INVALID` naming file, line, column and
 * field of the first problem (all of them in the message).
 */
export function parsePolicy(text: string, file: string = POLICY_PATH): Policy {
  const { policy, problems } = validatePolicy(text, file);
  if (policy) return policy;
  const [first, ...rest] = problems;
  const message = [
    `${first.path ? `${first.path}: ` : ''}${first.message}`,
    ...rest.map((p) => formatProblem(p)),
  ].join('\n');
  throw new GateError('E_POLICY_INVALID', message, {
    where: `${first.file}:${first.line}:${first.column}`,
    hint: 'fix the policy file; schemas/policy.schema.json describes every key',
  });
}
