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

/**
 * A fresh directory for each test of the enclosing suite, removed after the
 * test: read `.dir` inside a test or hook (a test that sees another test's
 * files proves nothing about its own).
 */
export function tempDirEach(prefix = 'mrg-'): { readonly dir: string } {
  let current: { dir: string; cleanup: () => void } | undefined;
  beforeEach(() => {
    current = tempDir(prefix);
  });
  afterEach(() => {
    current?.cleanup();
    current = undefined;
  });
  return {
    get dir(): string {
      if (!current) throw new Error('tempDirEach: .dir read outside a test');
      return current.dir;
    },
  };
}
