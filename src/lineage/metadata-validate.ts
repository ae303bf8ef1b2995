import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsImpl from 'ajv-formats';
import { GateError } from '../core/errors.js';
import { metadataJsonSchema } from './metadata-schema.js';
import type { LineageMetadata } from './metadata-types.js';

type AddFormats = (ajv: Ajv2020) => Ajv2020;
const addFormats = addFormatsImpl as unknown as AddFormats;

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(ajv);
    compiled = ajv.compile(metadataJsonSchema);
  }
  return compiled;
}

/**
 * Checks a parsed metadata.json against the schema. Throws E_SCHEMA naming
 * the file and the first failing field (`metadata.json: /datasets/0/digest:
 * must match pattern ...`), with the other failures in the hint.
 */
export function validateMetadata(value: unknown, file = 'metadata.json'): LineageMetadata {
  const validate = validator();
  if (validate(value)) return value as unknown as LineageMetadata;
  const errors = (validate.errors ?? []).map(describeError);
  const [first, ...rest] = errors;
  throw new GateError('E_SCHEMA', first ?? 'does not match the metadata schema', {
    where: file,
    hint: [
      ...rest.slice(0, 9).map((r) => `also ${r}`),
      'metadata.json is written by `model-gate lineage record`; fix the field or record it again',
    ].join('\n  '),
  });
}

function describeError(e: ErrorObject): string {
  const at = e.instancePath === '' ? '/' : e.instancePath;
  let msg = e.message ?? 'is invalid';
  if (e.keyword === 'additionalProperties') msg += ` (${(e.params as { additionalProperty: string }).additionalProperty})`;
  if (e.keyword === 'enum') msg += ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})`;
  if (e.keyword === 'const') msg += ` (${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)})`;
  return `${at}: ${msg}`;
}
