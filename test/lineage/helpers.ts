import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { modelGate, type CliOutcome } from '../helpers/cli-harness.js';
import { tempDir as sharedTempDir, tempDirEach as sharedTempDirEach } from '../helpers/temp-dirs.js';

/** A fresh temporary directory, removed by the returned cleanup. */
export const tempDir = (prefix = 'mrg-lineage-'): { dir: string; cleanup: () => void } => sharedTempDir(prefix);

/** A fresh temporary directory for each test of the enclosing suite (`.dir`), removed after it. */
export const tempDirEach = (prefix = 'mrg-lineage-'): { readonly dir: string } => sharedTempDirEach(prefix);

/** Writes files (relative path → content) and empty directories under root. */
export function writeTree(root: string, files: Record<string, string | Buffer>, emptyDirs: string[] = []): void {
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
  for (const d of emptyDirs) mkdirSync(join(root, d), { recursive: true });
}

/** docs/design.md §4's coreutils one-liner for dirHash1, run for real. */
export function oneLiner(dir: string): string {
  const out = execFileSync(
    'bash',
    ['-c', 'cd "$1" && find . -type f -print0 | cut -z -c3- | LC_ALL=C sort -z | xargs -0 -r sha256sum -- | sha256sum', 'x', dir],
    { encoding: 'utf8' },
  );
  return `sha256:${out.split(' ')[0]}`;
}

/** `sha256sum FILE`, run for real. */
export function sha256sum(file: string): string {
  const out = execFileSync('sha256sum', ['--', file], { encoding: 'utf8' });
  return `sha256:${out.slice(0, 64)}`;
}

/** Runs the CLI in-process with captured output. */
export function cli(argv: string[], opts: { cwd?: string; env?: Record<string, string | undefined>; tty?: boolean } = {}): Promise<CliOutcome> {
  return modelGate(argv, opts);
}

/**
 * Feeds `bytes` to a streaming scanner in pieces cut at the offsets `cuts`
 * (in any order; out-of-range ones ignored), as reads of any size deliver
 * them, and returns what it finishes with.
 */
export function feedInPieces<R>(scanner: { push(chunk: Uint8Array): void; finish(): R }, bytes: Buffer, cuts: number[]): R {
  let at = 0;
  for (const c of [...cuts.filter((c) => c > 0 && c < bytes.length)].sort((a, b) => a - b)) {
    scanner.push(bytes.subarray(at, c));
    at = c;
  }
  scanner.push(bytes.subarray(at));
  return scanner.finish();
}
