import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fsError } from './fs-errors.js';
import { parseJsonObject } from './json-input.js';
import { validateMetadata } from './metadata-validate.js';
import type { LineageMetadata } from './metadata-types.js';

/**
 * Reads and validates a metadata.json: missing file, bad JSON and schema
 * violations are all input errors (exit 2) naming the file and the field.
 */
export async function readMetadataFile(file: string, cwd = '.'): Promise<LineageMetadata> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), 'utf8');
  } catch (e) {
    throw fsError(e, file);
  }
  return validateMetadata(
    parseJsonObject(text, file, 'a lineage file', {
      isFile: true,
      hint: 'lineage files (metadata.json) are written by `model-gate lineage record`: this one is damaged or is not one; restore it from where it was kept (the release PR, the attestation) or record it again',
    }),
    file,
  );
}
