/**
 * GitHub's published REST contract, as the double's referee: every response
 * the double serves is validated against the response schema of its operation
 * in `@octokit/openapi` (api.github.com description), so the double cannot
 * drift from the shapes the real API returns.
 *
 * The description is large (13 MB, ~800 paths): it is parsed once per
 * process, and each operation's schema is compiled by ajv on first use and
 * cached. OpenAPI 3.0's `nullable` is rewritten to JSON Schema before ajv
 * sees it, since ajv refuses `nullable` without a sibling `type`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: its default export arrives as a namespace under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, Record<string, unknown>>;
}
interface Operation {
  operationId: string;
  responses: Record<string, ResponseObject | { $ref: string }>;
}
interface ResponseObject {
  content?: Record<string, { schema?: unknown; examples?: Record<string, unknown> }>;
}

let loaded: { spec: Spec; ajv: Ajv } | null = null;
const validators = new Map<string, ValidateFunction | null>();

function load(): { spec: Spec; ajv: Ajv } {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
  const spec = JSON.parse(readFileSync(file, 'utf8')) as Spec;
  const ajv = new Ajv({ strict: false, validateSchema: false, allErrors: true });
  addFormats(ajv);
  // Only the components are registered: each operation's own schema is small
  // and compiled on demand against them.
  ajv.addSchema({ $id: 'gh', components: toJsonSchema(spec.components) }, 'gh');
  loaded = { spec, ajv };
  return loaded;
}

/** Loads and prepares GitHub's description now (it takes a moment), so the first request does not. */
export function warmContract(): void {
  load();
}

/** Rewrites OpenAPI 3.0 `nullable: true` (with or without `type`) into JSON Schema. */
function toJsonSchema(node: unknown): never {
  if (Array.isArray(node)) return node.map(toJsonSchema) as never;
  if (node === null || typeof node !== 'object') return node as never;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'example' || k === 'examples') continue; // not schema, and large
    out[k] = toJsonSchema(v);
  }
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
    } else {
      return { anyOf: [{ type: 'null' }, out] } as never;
    }
  }
  if (typeof out.$ref === 'string' && out.$ref.startsWith('#/components/')) {
    out.$ref = `gh${out.$ref}`;
  }
  return out as never;
}

function responseObject(spec: Spec, r: ResponseObject | { $ref: string }): ResponseObject {
  if ('$ref' in r) {
    const name = r.$ref.split('/').pop() as string;
    return spec.components.responses[name] as ResponseObject;
  }
  return r;
}

/** The operation at an OpenAPI path template and method, or throws. */
export function operation(pathTemplate: string, method: string): Operation {
  const op = load().spec.paths[pathTemplate]?.[method.toLowerCase()];
  if (!op) throw new Error(`GitHub's OpenAPI description has no ${method} ${pathTemplate}`);
  return op;
}

/**
 * Validates a JSON response body for an operation and status. Throws with
 * ajv's errors when it does not validate, or when the description declares no
 * JSON body for that status (the double must not invent responses).
 */
export function validateResponse(
  pathTemplate: string,
  method: string,
  status: number,
  body: unknown,
): void {
  const key = `${method.toUpperCase()} ${pathTemplate} ${status}`;
  let validate = validators.get(key);
  if (validate === undefined) {
    const { spec, ajv } = load();
    const op = operation(pathTemplate, method);
    const declared = op.responses[String(status)];
    if (!declared) {
      throw new Error(`${key}: status ${status} is not in GitHub's OpenAPI description`);
    }
    const schema = responseObject(spec, declared).content?.['application/json']?.schema;
    validate = schema === undefined ? null : ajv.compile(toJsonSchema(schema));
    validators.set(key, validate);
  }
  if (validate === null) {
    if (body === undefined || body === null) return;
    throw new Error(`${key}: GitHub declares no JSON body for this status`);
  }
  if (!validate(body)) {
    const errors = (validate.errors ?? [])
      .slice(0, 8)
      .map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`)
      .join('; ');
    throw new Error(`${key}: response does not match GitHub's OpenAPI description: ${errors}`);
  }
}

/** A response example from the description (deep copy), used as a template. */
export function exampleResponse(
  pathTemplate: string,
  method: string,
  status: number,
  exampleName?: string,
): unknown {
  const { spec } = load();
  const op = operation(pathTemplate, method);
  const declared = op.responses[String(status)];
  if (!declared) throw new Error(`no ${status} response for ${method} ${pathTemplate}`);
  const examples = responseObject(spec, declared).content?.['application/json']?.examples ?? {};
  const name = exampleName ?? Object.keys(examples)[0];
  let ex = examples[name] as { $ref?: string; value?: unknown } | undefined;
  if (ex?.$ref) ex = spec.components.examples[ex.$ref.split('/').pop() as string] as typeof ex;
  if (!ex || ex.value === undefined) {
    throw new Error(`no example ${name ?? ''} for ${method} ${pathTemplate} ${status}`);
  }
  return structuredClone(ex.value);
}

/** A component example by name (deep copy). */
export function componentExample(name: string): unknown {
  const ex = load().spec.components.examples[name] as { value?: unknown } | undefined;
  if (!ex?.value) throw new Error(`no component example ${name}`);
  return structuredClone(ex.value);
}

/**
 * Validates a value against a schema of the description's components (a
 * webhook payload such as `webhook-deployment-protection-rule-requested`, or
 * a request body); throws with ajv's errors.
 */
export function validateComponent(name: string, value: unknown): void {
  const key = `component ${name}`;
  let validate = validators.get(key);
  if (!validate) {
    const { spec, ajv } = load();
    if (!spec.components.schemas?.[name]) throw new Error(`GitHub's OpenAPI description has no schema ${name}`);
    validate = ajv.compile({ $ref: `gh#/components/schemas/${name}` });
    validators.set(key, validate);
  }
  if (!validate(value)) {
    const errors = (validate.errors ?? [])
      .slice(0, 8)
      .map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`)
      .join('; ');
    throw new Error(`${name}: does not match GitHub's OpenAPI description: ${errors}`);
  }
}
