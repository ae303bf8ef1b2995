/**
 * `model-gate report`: the compliance report of an audit log, as HTML,
 * Markdown or JSON. Verifies the whole log first; a log that does not verify
 * still gets its report (saying so at the top) and exits 1.
 */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { ExitCode, GateError } from '../../core/errors.js';
import type { AuditStore } from '../../audit/index.js';
import { action, collect, type CliRun } from '../command-kit.js';
import { readInput, readInputText } from '../input-file.js';

const FORMATS = ['html', 'md', 'json'] as const;
type Format = (typeof FORMATS)[number];

/**
 * Reads a metadata.json given with --metadata: its bytes' SHA-256 (what the
 * log's MODEL_RELEASE record names) and its parsed content.
 */
async function readMetadata(cwd: string, file: string): Promise<{ file: string; digest: string; doc: unknown }> {
  const bytes = await readInput(cwd, file, '--metadata file');
  const { sha256 } = await import('../../core/digest.js');
  try {
    return { file, digest: sha256(bytes), doc: JSON.parse(bytes.toString('utf8')) };
  } catch (e) {
    throw new GateError('E_JSON', `--metadata file is not JSON: ${(e as Error).message}`, { where: file, hint: 'pass the metadata.json written by `model-gate lineage record` or the Action' });
  }
}

/** Registers `report`. */
export function register(program: Command, run: CliRun): void {
  program
    .command('report')
    .description('compliance report: every release in the period, its approvers, data and deployments, and the verification of the whole log; exit 1 if the log does not verify')
    .addOption(new Option('--store <url>', 'audit store: file://DIR, a directory, or s3://BUCKET/PREFIX (repeat for redundant stores)').argParser(collect))
    .option('--since <date>', 'start of the period, inclusive: YYYY-MM-DD (UTC) or a timestamp with zone')
    .option('--until <date>', 'end of the period, exclusive: YYYY-MM-DD (UTC) or a timestamp with zone')
    .addOption(new Option('--format <format>', 'html, md or json').makeOptionMandatory())
    .option('--out <file>', 'write the report to this file (default: standard output)')
    .option('--metadata <file>', 'a metadata.json of a release (repeatable): when its SHA-256 matches the digest in the log, its datasets\' rows and files are shown', collect)
    .option('--checkpoint-key <file>', 'public JWK (or JWK Set) that signs checkpoints: verify against the newest signed checkpoint')
    .action(
      action(run, async (opts: { store?: string[]; since?: string; until?: string; format: string; out?: string; checkpointKey?: string; metadata?: string[] }) => {
        // Check everything the user typed before reading a possibly large log.
        if (!(FORMATS as readonly string[]).includes(opts.format)) {
          throw new GateError('E_USAGE', `unknown report format ${JSON.stringify(opts.format)}`, { where: '--format', hint: 'use --format html, md or json' });
        }
        // The report and audit libraries load for this command only (commands/index.ts).
        const { buildReport, parsePeriod, readLogForReport, renderHtml, renderJson, renderMarkdown } = await import('../../report/index.js');
        const { openStore } = await import('../../audit/index.js');
        const period = parsePeriod(opts.since, opts.until);
        if (!opts.store || opts.store.length === 0) {
          throw new GateError('E_USAGE', 'no audit store given', { hint: 'pass --store URL (file://DIR, a directory, or s3://BUCKET/PREFIX)' });
        }
        let checkpointKey: { text: string; where: string } | undefined;
        if (opts.checkpointKey) {
          checkpointKey = { text: await readInputText(run.io.cwd, opts.checkpointKey, '--checkpoint-key file'), where: opts.checkpointKey };
        }
        const metadata = [];
        for (const file of opts.metadata ?? []) metadata.push(await readMetadata(run.io.cwd, file));
        const stores: AuditStore[] = [];
        for (const url of opts.store) stores.push(await openStore(url, { env: run.io.env, cwd: run.io.cwd }));

        const { entries, verification } = await readLogForReport(stores, { checkpointKey });
        const model = buildReport(entries, verification, { ...period, generatedAt: new Date().toISOString(), metadata });
        for (const m of metadata) {
          if (!entries.some((e) => e.record?.subject.includes(m.digest as `sha256:${string}`))) {
            run.io.stderr(`note: --metadata ${m.file} (${m.digest}) matches no record in the log: not used\n`);
          }
        }
        const render = { html: renderHtml, md: renderMarkdown, json: renderJson }[opts.format as Format];
        const text = render(model);
        if (opts.out) {
          const path = resolve(run.io.cwd, opts.out);
          try {
            await (await import('node:fs/promises')).writeFile(path, text);
          } catch (e) {
            throw new GateError('E_UNREADABLE', `cannot write the report: ${(e as Error).message}`, { where: opts.out, cause: e, hint: 'check that the directory exists and is writable' });
          }
          const state = !verification.ok
            ? `the log did NOT verify (${verification.findings.length} finding(s))`
            : verification.status === 'intact'
              ? 'the log verified, every record anchored'
              : verification.size === 0
                ? 'the log is empty'
                : `the log verified, but records ${verification.anchored_size} to ${verification.size - 1} are covered by no signed checkpoint`;
          run.io.stderr(`wrote ${opts.format} report to ${opts.out}: ${model.summary.releases} release(s); ${state}\n`);
        } else {
          run.io.stdout(text);
        }
        if (!verification.ok) {
          run.io.stderr(`model-gate: the audit log did not verify: ${verification.findings.length} finding(s); the report says so at the top\n`);
          return ExitCode.verificationFailed;
        }
        return ExitCode.ok;
      }),
    );
}
