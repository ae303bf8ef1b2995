/**
 * `model-gate hash`: what the command does once its arguments are known. Both
 * the parser's command (commands/lineage.ts) and the quick path that skips
 * the parser (quick-hash.ts) call this, so the two cannot drift apart.
 */
import { GateError } from '../core/errors.js';
import { hashFileShardsOnly, hashPath } from '../lineage/hash-path.js';
import { printJson } from './io.js';
import type { CliRun } from './command-kit.js';

/** The flags of `model-gate hash`, as the parser gives them. */
export interface HashFlags {
  json?: boolean;
  quiet?: boolean;
  followSymlinks?: boolean;
  fingerprint?: boolean;
  shards?: boolean;
  shardsOnly?: boolean;
}

/** Progress on stderr only when it is a terminal and not --quiet (the bar's code loads only then). */
export async function progressFor(run: CliRun, quiet: boolean | undefined, label: string) {
  if (quiet || !run.io.stderrIsTty) return undefined;
  return (await import('../lineage/progress.js')).progressBar(run.io.stderr, label);
}

/** Hashes each path in turn and prints its digest line (or, with --json, one array); returns the exit code. */
export async function runHash(run: CliRun, paths: string[], flags: HashFlags): Promise<number> {
  if (flags.shards && flags.shardsOnly) throw new GateError('E_USAGE', '--shards and --shards-only exclude each other');
  const results = [];
  for (const p of paths) {
    const bar = await progressFor(run, flags.quiet, p);
    try {
      const opts = { cwd: run.io.cwd, followSymlinks: flags.followSymlinks, onProgress: bar?.update };
      if (flags.shardsOnly) {
        const r = await hashFileShardsOnly(p, opts);
        bar?.end();
        if (flags.json) results.push(r);
        else run.io.stdout(`shards:${r.shards.digest}  ${p}\n`);
        continue;
      }
      const r = await hashPath(p, { ...opts, fingerprint: flags.fingerprint, shards: flags.shards });
      bar?.end();
      if (flags.json) results.push(r);
      else run.io.stdout(`${r.digest}  ${p}\n${r.shards ? `shards:${r.shards.digest}  ${p}\n` : ''}`);
    } catch (e) {
      bar?.end();
      throw e;
    }
  }
  if (flags.json) printJson(run.io, results);
  return 0;
}
