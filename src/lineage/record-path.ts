import { relative, resolve, sep } from 'node:path';

/**
 * A path as metadata.json records it: relative to the working directory,
 * `/`-separated (`.` for the directory itself), so the record does not depend
 * on where the checkout happened to live.
 */
export function recordPath(cwd: string, path: string): string {
  const rel = relative(cwd, resolve(cwd, path));
  return rel === '' ? '.' : rel.split(sep).join('/');
}
