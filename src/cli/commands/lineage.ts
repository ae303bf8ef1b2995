import type { Command } from 'commander';
import { printJson } from '../io.js';
import { action, type CliRun } from '../program.js';
import { hashPath } from '../../lineage/hash-path.js';
import { progressBar } from '../../lineage/progress.js';

interface HashFlags {
  json?: boolean;
  quiet?: boolean;
  followSymlinks?: boolean;
  fingerprint?: boolean;
}

/** Progress on stderr only when it is a terminal and not --quiet. */
function progressFor(run: CliRun, quiet: boolean | undefined, label: string) {
  if (quiet || !run.io.stderrIsTty) return undefined;
  return progressBar(run.io.stderr, label);
}

/** `model-gate hash` and `model-gate lineage record|verify|diff`. */
export function register(program: Command, run: CliRun): void {
  program
    .command('hash')
    .description(
      'print the digest of each file (SHA-256, as sha256sum) or directory (dirHash1, as the coreutils one-liner in the README)',
    )
    .argument('<paths...>', 'files or directories')
    .option('--json', 'print a JSON array of {path, type, digest, size, files}')
    .option('--follow-symlinks', "hash a symbolic link's target under the link's path instead of refusing it")
    .option('--fingerprint', 'with --json: add rows/columns for CSV, TSV, JSON Lines and Parquet files')
    .option('-q, --quiet', 'no progress bar')
    .action(
      action(run, async (paths: string[], flags: HashFlags) => {
        const results = [];
        for (const p of paths) {
          const bar = progressFor(run, flags.quiet, p);
          try {
            const r = await hashPath(p, {
              cwd: run.io.cwd,
              followSymlinks: flags.followSymlinks,
              fingerprint: flags.fingerprint,
              onProgress: bar?.update,
            });
            bar?.end();
            if (flags.json) results.push(r);
            else run.io.stdout(`${r.digest}  ${p}\n`);
          } catch (e) {
            bar?.end();
            throw e;
          }
        }
        if (flags.json) printJson(run.io, results);
        return 0;
      }),
    );
}
