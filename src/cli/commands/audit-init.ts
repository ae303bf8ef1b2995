/**
 * `model-gate audit init --store s3://...`: creates the S3 bucket for an audit
 * log with Object Lock and a default retention. Registered under `audit` by
 * audit.ts; the work is in the S3 adapter (audit/stores/s3-init.ts).
 */
import { Option, type Command } from 'commander';
import { ExitCode, GateError } from '../../core/errors.js';
import { printJson } from '../io.js';
import { action, integerOption, type CliRun } from '../command-kit.js';

/** Adds `init` to the `audit` command. */
export function registerAuditInit(audit: Command, run: CliRun): void {
  audit
    .command('init')
    .description(
      'create the S3 bucket for an audit log with Object Lock and a default retention (COMPLIANCE, 2557 days unless told); an existing bucket is left as it is',
    )
    .requiredOption('--store <url>', 's3://BUCKET[/PREFIX]?region=R[&endpoint=URL]...')
    .option('--retention-days <n>', 'default retention in days (default: the URL\'s retention_days, else 2557 = 7 years)', integerOption('--retention-days'))
    .addOption(new Option('--mode <mode>', 'default retention mode').choices(['COMPLIANCE', 'GOVERNANCE']).default('COMPLIANCE'))
    .option('--json', 'print {bucket, created, mode, days} as JSON')
    .action(
      action(run, async (opts: { store: string; retentionDays?: number; mode: 'COMPLIANCE' | 'GOVERNANCE'; json?: boolean }) => {
        if (!/^s3:\/\//i.test(opts.store)) {
          throw new GateError('E_USAGE', `audit init sets up S3 buckets; ${JSON.stringify(opts.store)} is not an s3:// URL`, {
            hint: 'a file:// store needs no setup: the first append creates its folder',
          });
        }
        const { initS3Bucket } = await import('../../audit/stores/s3-init.js');
        // The raw string: parsing it into a URL would already have resolved any "../" in the prefix.
        const r = await initS3Bucket(opts.store, { env: run.io.env, retentionDays: opts.retentionDays, mode: opts.mode });
        if (opts.json) {
          printJson(run.io, r);
        } else if (r.created) {
          run.io.stdout(`created bucket ${r.bucket} with S3 Object Lock: default retention ${r.mode} for ${r.days} days\n`);
        } else {
          run.io.stdout(`bucket ${r.bucket} already has S3 Object Lock with a default retention of ${r.mode} for ${r.days} days; left as it is\n`);
        }
        if (r.mode === 'GOVERNANCE') {
          run.io.stderr('note: GOVERNANCE retention can be bypassed by privileged users; append and verify need allow_governance=true in the store URL\n');
        }
        return ExitCode.ok;
      }),
    );
}
