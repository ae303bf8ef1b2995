import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Fresh directories under the OS temp dir, all removed after the test file
 * (a suite that leaves hundreds of workspaces behind fills a CI runner's disk).
 */
export function tempDirs(prefix = 'mrg-'): () => string {
  const made: string[] = [];
  afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
  return () => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    made.push(d);
    return d;
  };
}

/** One fresh directory under the OS temp dir and its cleanup (for a suite that removes it itself, e.g. after stopping a server in it). */
export function tempDir(prefix = 'mrg-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
