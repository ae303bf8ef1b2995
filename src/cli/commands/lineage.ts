import { relative } from 'node:path';
import { Option, type Command } from 'commander';
import { GateError } from '../../core/errors.js';
import { printJson } from '../io.js';
import { action, collect, type CliRun } from '../command-kit.js';
import type { HashFlags } from '../hash-run.js';
import { progressBar } from '../../lineage/progress.js';
import { parseDatasetSpec } from '../../lineage/dataset-spec.js';
import type { Mismatch } from '../../lineage/verify-compare.js';
import type { LineageChange } from '../../lineage/diff.js';

// record/verify/diff load their modules (ajv, hyparquet) on use, so that
// `model-gate hash` starts fast.

/**
 * Progress for several inputs in turn: one bar per label, each ended when the
 * next label starts (bars draw only for inputs over a few hundred MB).
 */
function multiProgress(run: CliRun, quiet: boolean | undefined) {
  if (quiet || !run.io.stderrIsTty) return { update: undefined, end: () => undefined };
  let label: string | undefined;
  let bar: ReturnType<typeof progressBar> | undefined;
  return {
    update: (l: string, done: number, total: number) => {
      if (l !== label) {
        bar?.end();
        label = l;
        bar = progressBar(run.io.stderr, l);
      }
      bar!.update(done, total);
    },
    end: () => bar?.end(),
  };
}

interface RecordFlags {
  model: string;
  dataset?: string[];
  hyperparameters?: string;
  metrics?: string;
  out?: string;
  statement?: string;
  followSymlinks?: boolean;
  shards?: boolean;
  environment?: string[];
  pythonPackages?: boolean;
  git?: boolean;
  sourceRepository?: string;
  sourceCommit?: string;
  sourceBranch?: string;
  json?: boolean;
  quiet?: boolean;
}

interface VerifyFlags {
  root?: string;
  json?: boolean;
  quiet?: boolean;
  followSymlinks?: boolean;
}

/** `model-gate hash` and `model-gate lineage record|verify|diff`. */
export function register(program: Command, run: CliRun): void {
  program
    .command('hash')
    .description(
      'print the digest of each file (SHA-256, as sha256sum) or directory (dirHash1, as the coreutils one-liner in the README)',
    )
    .argument('<paths...>', 'files or directories')
    .option('--json', 'print a JSON array of {path, type, digest, size, files} (files: the manifest, directories only)')
    .option('--follow-symlinks', "hash a symbolic link's target under the link's path instead of refusing it")
    .option('--fingerprint', 'with --json: add rows/columns for CSV, TSV, JSON Lines and Parquet files')
    .option(
      '--shards',
      'for a file, also its sharded digest as OpenSSF model signing computes it (shards of 10^9 bytes, hashed on all cores): with --json as "shards", else a "shards:sha256:..." line',
    )
    .option(
      '--shards-only',
      'for a file, only its sharded digest, every core hashing shards (faster than SHA-256 on 2+ cores); it is not the file\'s SHA-256',
    )
    .option('-q, --quiet', 'no progress bar')
    .action(
      action(run, async (paths: string[], flags: HashFlags) => (await import('../hash-run.js')).runHash(run, paths, flags)),
    );

  const lineage = program.command('lineage').description('record, verify and compare model lineage (metadata.json)');

  lineage
    .command('record')
    .description('hash the model and datasets and write metadata.json (paths inside are relative to the working directory)')
    .requiredOption('--model <path>', 'the model file or directory')
    .option(
      '--dataset <ROLE[:NAME]=PATH>',
      'a dataset (ROLE: training, validation or test; NAME defaults to the file name without its extension); repeatable',
      collect,
    )
    .option('--hyperparameters <file|json>', 'hyperparameters: a JSON file, or inline JSON starting with {')
    .option('--metrics <file|json>', 'metrics: a JSON file, or inline JSON starting with {')
    .option('--out <file>', 'where to write metadata.json (default: metadata.json beside the model)')
    .option('--statement <file>', 'also write an in-toto Statement v1 carrying the metadata')
    .option('--follow-symlinks', "hash a symbolic link's target under the link's path instead of refusing it")
    .option('--shards', "also record the model file's sharded digest (OpenSSF model signing's shards of 10^9 bytes, hashed on the other cores), beside its SHA-256")
    .option(
      '--environment <file>',
      "a file pinning the training environment (lockfile, a saved `pip freeze`); repeatable; default: the lockfiles beside the model, from its directory up to the working directory",
      collect,
    )
    .option(
      '--python-packages',
      "also record this machine's python3 version and pip list (environment.recording_machine, outside the reproducibility digest)",
    )
    .addOption(new Option('--no-python', 'the default now: the recording machine is not asked').hideHelp())
    .option('--source-repository <url>', "record this as source.repository (default: GitHub Actions' owner/name, else git's remote URL without credentials)")
    .option('--source-commit <sha>', "record this as source.commit (default: git's HEAD, else GITHUB_SHA)")
    .option('--source-branch <name>', "record this as source.branch (default: git's current branch)")
    .option('--no-git', 'do not ask git for the commit, branch, remote and uncommitted changes')
    .option('--json', 'print {metadataPath, statementPath, reproducibility_digest, totalBytes, elapsedMs, warnings}')
    .option('-q, --quiet', 'no progress bar')
    .action(
      action(run, async (flags: RecordFlags) => {
        const { recordLineage } = await import('../../lineage/record.js');
        const { githubActionsSource } = await import('../../lineage/source.js');
        const { jsonOptionFiles, readJsonObjectOption } = await import('../../lineage/json-input.js');
        const { cwd, env } = run.io;
        const datasets = (flags.dataset ?? []).map(parseDatasetSpec);
        const hyperparameters = flags.hyperparameters
          ? await readJsonObjectOption(flags.hyperparameters, '--hyperparameters', cwd)
          : undefined;
        const metrics = flags.metrics ? await readJsonObjectOption(flags.metrics, '--metrics', cwd) : undefined;
        const inputFiles = jsonOptionFiles([
          ['the hyperparameters file', flags.hyperparameters],
          ['the metrics file', flags.metrics],
        ]);
        const progress = multiProgress(run, flags.quiet);
        let r;
        try {
          r = await recordLineage({
            cwd,
            env,
            model: flags.model,
            datasets,
            hyperparameters,
            metrics,
            out: flags.out,
            statement: flags.statement,
            inputFiles,
            ciSource: githubActionsSource(env),
            sourceOverrides: sourceOverrides(flags),
            git: flags.git,
            followSymlinks: flags.followSymlinks,
            shards: flags.shards,
            environmentFiles: flags.environment,
            python: flags.pythonPackages === true,
            onProgress: progress.update,
          });
        } finally {
          progress.end();
        }
        const shown = (p: string) => relative(cwd, p) || p;
        for (const w of r.warnings) run.io.stderr(`warning: ${w}\n`);
        if (flags.json) {
          printJson(run.io, {
            metadataPath: shown(r.metadataPath),
            statementPath: r.statementPath && shown(r.statementPath),
            reproducibility_digest: r.metadata.reproducibility_digest,
            totalBytes: r.totalBytes,
            elapsedMs: Math.round(r.elapsedMs),
            warnings: r.warnings,
          });
          return 0;
        }
        const m = r.metadata;
        run.io.stdout(`model       ${m.model.digest}  ${m.model.path}\n`);
        for (const d of m.datasets) {
          const rows = d.rows === undefined ? '' : `, ${d.rows} rows`;
          run.io.stdout(`${d.role.padEnd(11)} ${d.digest}  ${d.path} (${d.name}${rows})\n`);
        }
        run.io.stdout(`reproducibility_digest ${m.reproducibility_digest}\n`);
        run.io.stdout(`wrote ${shown(r.metadataPath)}${r.statementPath ? ` and ${shown(r.statementPath)}` : ''}\n`);
        return 0;
      }),
    );

  lineage
    .command('verify')
    .description('recompute every digest in metadata.json; exit 1 listing each mismatch down to the file')
    .argument('[file]', 'the lineage file', 'metadata.json')
    .option('--root <dir>', 'directory the recorded paths are relative to (default: the working directory)')
    .option('--follow-symlinks', 'follow symbolic links, as record --follow-symlinks did')
    .option('--json', 'print {ok, mismatches}')
    .option('-q, --quiet', 'no progress bar')
    .action(
      action(run, async (file: string, flags: VerifyFlags) => {
        const { verifyLineage } = await import('../../lineage/verify.js');
        const progress = multiProgress(run, flags.quiet);
        let result;
        try {
          result = await verifyLineage(file, {
            cwd: run.io.cwd,
            root: flags.root,
            followSymlinks: flags.followSymlinks,
            onProgress: progress.update,
          });
        } finally {
          progress.end();
        }
        if (flags.json) printJson(run.io, result);
        else if (result.ok) run.io.stdout(`OK: every digest in ${file} matches\n`);
        else {
          for (const m of result.mismatches) run.io.stdout(`${formatMismatch(m)}\n`);
          run.io.stdout(`FAILED: ${result.mismatches.length} mismatch(es) against ${file}\n`);
        }
        return result.ok ? 0 : 1;
      }),
    );

  lineage
    .command('diff')
    .description('show what differs between two lineage files (exit 0 whether or not they differ)')
    .argument('<a>', 'first metadata.json')
    .argument('<b>', 'second metadata.json')
    .option('--json', 'print {same, changes}')
    .action(
      action(run, async (a: string, b: string, flags: { json?: boolean }) => {
        const { diffLineage } = await import('../../lineage/diff.js');
        const { readMetadataFile } = await import('../../lineage/metadata-io.js');
        const [ma, mb] = await Promise.all([readMetadataFile(a, run.io.cwd), readMetadataFile(b, run.io.cwd)]);
        const d = diffLineage(ma, mb);
        if (flags.json) printJson(run.io, d);
        else if (d.same) run.io.stdout('no differences (created_at aside)\n');
        else for (const c of d.changes) run.io.stdout(`${formatChange(c)}\n`);
        return 0;
      }),
    );
}

/** The --source-* flags given, each checked to be non-empty. */
function sourceOverrides(flags: RecordFlags): { repository?: string; commit?: string; branch?: string } {
  const out: { repository?: string; commit?: string; branch?: string } = {};
  for (const [key, flag, value] of [
    ['repository', '--source-repository', flags.sourceRepository],
    ['commit', '--source-commit', flags.sourceCommit],
    ['branch', '--source-branch', flags.sourceBranch],
  ] as const) {
    if (value === undefined) continue;
    if (value.trim() === '') {
      throw new GateError('E_USAGE', 'must not be empty', { where: flag, hint: `give ${flag} a value, or leave the flag out` });
    }
    out[key] = value;
  }
  return out;
}

function formatMismatch(m: Mismatch): string {
  const who =
    m.subject === 'model'
      ? `model ${m.path}`
      : m.subject === 'dataset'
        ? `dataset ${m.role}:${m.name} ${m.path}`
        : `metadata ${m.path}`;
  const where = m.file === undefined ? who : `${who}: file ${m.file}`;
  const exp = m.expected ? ` expected ${m.expected}` : '';
  const act = m.actual ? ` actual ${m.actual}` : '';
  const detail = m.detail ? ` (${m.detail})` : '';
  return `${m.change.padEnd(12)} ${where}${exp}${act}${detail}`;
}

function formatChange(c: LineageChange): string {
  const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  if (c.change === 'added') return `added    ${c.field}: ${show(c.b)}`;
  if (c.change === 'removed') return `removed  ${c.field}: ${show(c.a)}`;
  return `changed  ${c.field}: ${show(c.a)} -> ${show(c.b)}`;
}
