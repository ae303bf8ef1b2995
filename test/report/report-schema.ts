/** Validates a JSON report against the published schema (schemas/report.schema.json). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..'); // lib/test/report → project root
let compiled: ValidateFunction | undefined;

/** The schema's errors for a value, [] when it conforms. */
export function reportSchemaErrors(value: unknown): string[] {
  compiled ??= new Ajv2020({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync(join(root, 'schemas', 'report.schema.json'), 'utf8')));
  return compiled(value) ? [] : (compiled.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
