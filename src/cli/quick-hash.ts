/**
 * `model-gate hash FILE...` without the command-line parser. Loading
 * commander costs about as much as hashing a small file, and `hash` is the
 * command scripts run in loops, so a command line made only of paths and the
 * plain flags below is run directly; anything else (help, an unknown or
 * combined flag, `--`, no path) goes to the parser, which explains it. A
 * test checks that both give the same output and exit code.
 */
import type { CliIo } from './io.js';
import { runHash, type HashFlags } from './hash-run.js';

const FLAGS: ReadonlyMap<string, keyof HashFlags> = new Map([
  ['--json', 'json'],
  ['-q', 'quiet'],
  ['--quiet', 'quiet'],
  ['--follow-symlinks', 'followSymlinks'],
  ['--fingerprint', 'fingerprint'],
  ['--shards', 'shards'],
  ['--shards-only', 'shardsOnly'],
]);

/** The paths and flags of a `hash` command line the quick path can run, or undefined for the parser. */
export function quickHashArgs(argv: readonly string[]): { paths: string[]; flags: HashFlags } | undefined {
  if (argv[0] !== 'hash') return undefined;
  const paths: string[] = [];
  const flags: HashFlags = {};
  for (const arg of argv.slice(1)) {
    if (arg.startsWith('-')) {
      const flag = FLAGS.get(arg);
      if (flag === undefined) return undefined;
      flags[flag] = true;
    } else paths.push(arg);
  }
  return paths.length > 0 ? { paths, flags } : undefined;
}

/** Runs `argv` if the quick path can (resolving to the exit code), else returns undefined. */
export function quickHash(argv: readonly string[], io: CliIo): Promise<number> | undefined {
  const args = quickHashArgs(argv);
  if (args === undefined) return undefined;
  // The error report's code loads only for an error.
  return runHash({ io, exitCode: 0 }, args.paths, args.flags).catch(async (e: unknown) => (await import('./report-error.js')).reportError(e, io));
}
