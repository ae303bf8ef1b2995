/**
 * `model-gate release`: the Action's release, from a terminal or any CI.
 * Re-hashes everything metadata.json names (a release of bytes that are not
 * the recorded ones is refused, exit 1, nothing written), then appends the
 * same MODEL_RELEASE record the Action writes (src/audit/release-record.ts)
 * and optionally signs a checkpoint. Only translation lives here.
 */
import { relative, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { ExitCode, GateError } from '../../core/errors.js';
import { printJson } from '../io.js';
import { action, collect, nonEmptyOption, type CliRun } from '../command-kit.js';
import { readInputText } from '../input-file.js';

interface ReleaseFlags {
  metadata: string;
  store?: string[];
  actor?: string;
  repository?: string;
  commit?: string;
  eventType: string;
  checkpointKey?: string;
  json?: boolean;
}

/** `owner/name`, the form the Action's log names take. */
const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

export function register(program: Command, run: CliRun): void {
  program
    .command('release')
    .description('re-verify metadata.json, then append the MODEL_RELEASE record the Action writes (to every --store)')
    .requiredOption('--metadata <file>', 'the metadata.json of the release (from `lineage record`)')
    .addOption(new Option('--store <url>', 'audit store: file://DIR, a directory, or s3://BUCKET/PREFIX (repeat for redundant stores)').argParser(collect))
    .option('--actor <id>', 'who releases (default: $GITHUB_ACTOR)', nonEmptyOption('--actor', '"$(git config user.email)"'))
    .option('--repository <owner/name>', 'the repository, which also names a new log (default: $GITHUB_REPOSITORY, else metadata.json\'s source)')
    .option('--commit <sha>', 'the source commit (default: $GITHUB_SHA, else metadata.json\'s source)')
    .option('--event-type <type>', 'event type of the record', nonEmptyOption('--event-type', 'MODEL_RELEASE'), 'MODEL_RELEASE')
    .option('--checkpoint-key <file>', 'private JWK: sign a checkpoint after appending (publish its digest outside the store)')
    .option('--json', 'print {seq, digest, model_digest, metadata_digest, checkpoint} as JSON')
    .action(action(run, (flags: ReleaseFlags) => release(run, flags)));
}

async function release(run: CliRun, flags: ReleaseFlags): Promise<number> {
  const { io } = run;
  if (!flags.store || flags.store.length === 0) {
    throw new GateError('E_USAGE', 'no audit store given', { hint: 'pass --store URL (file://DIR, a directory, or s3://BUCKET/PREFIX)' });
  }
  const actor = flags.actor ?? io.env.GITHUB_ACTOR;
  if (!actor) {
    throw new GateError('E_USAGE', 'who releases is not known', { hint: 'pass --actor, e.g. --actor "$(git config user.email)" (in GitHub Actions it defaults to $GITHUB_ACTOR)' });
  }
  // Loaded on use, like every command's heavy modules (commands/index.ts).
  const { readFile } = await import('node:fs/promises');
  const { sha256 } = await import('../../core/digest.js');
  const { verifyLineage } = await import('../../lineage/verify.js');
  const { readMetadataFile } = await import('../../lineage/metadata-io.js');
  const audit = await import('../../audit/index.js');

  // Everything that can be wrong with the input is checked before any store is touched.
  const metadata = await readMetadataFile(flags.metadata, io.cwd);
  const signingKey = flags.checkpointKey
    ? await audit.loadSigningKey(await readKey(io.cwd, flags.checkpointKey), flags.checkpointKey)
    : undefined;
  const verified = await verifyLineage(flags.metadata, { cwd: io.cwd });
  if (!verified.ok) {
    for (const m of verified.mismatches) io.stdout(`${m.subject} ${m.path}${m.file ? ` (${m.file})` : ''}: ${m.change}\n`);
    io.stdout(`FAILED: ${verified.mismatches.length} mismatch(es) against ${flags.metadata}: nothing was released\n`);
    return ExitCode.verificationFailed;
  }
  const metadataPath = resolve(io.cwd, flags.metadata);
  const metadataDigest = sha256(await readFile(metadataPath));
  const source = (metadata.source ?? {}) as { repository?: string; commit?: string };
  const fromSource = !io.env.GITHUB_REPOSITORY && source.repository && REPOSITORY.test(source.repository) ? source.repository : undefined;
  if (flags.repository !== undefined && !REPOSITORY.test(flags.repository)) {
    throw new GateError('E_USAGE', `--repository must be OWNER/NAME, got ${JSON.stringify(flags.repository)}`);
  }
  const record = audit.modelReleaseRecord(
    audit.releaseLineageOf(metadata, relative(io.cwd, metadataPath) || metadataPath, metadataDigest),
    audit.releaseContextFromEnv(io.env, 'cli', {
      actor,
      repository: flags.repository ?? fromSource,
      commit: flags.commit ?? (io.env.GITHUB_SHA ? undefined : source.commit),
    }),
    flags.eventType,
  );
  const stores = [];
  for (const url of flags.store) stores.push(await audit.openStore(url, { env: io.env, cwd: io.cwd }));
  const appended = await audit.appendRecord(stores, record);
  let checkpoint: { key: string; size: number; digest: string } | undefined;
  if (signingKey) {
    const cp = await audit.writeCheckpoint(stores[0], signingKey);
    checkpoint = { key: cp.key, size: cp.size, digest: sha256(cp.jws) };
  }
  const result = { seq: appended.seq, digest: appended.digest, model_digest: metadata.model.digest, metadata_digest: metadataDigest, ...(checkpoint ? { checkpoint } : {}) };
  if (flags.json) printJson(io, result);
  else {
    io.stdout(`released ${metadata.model.path} ${metadata.model.digest}\n`);
    io.stdout(`appended record ${appended.seq} ${appended.digest}\n`);
    if (checkpoint) io.stdout(`checkpoint ${checkpoint.key} (size ${checkpoint.size}) ${checkpoint.digest}: publish this digest outside the store\n`);
  }
  return ExitCode.ok;
}

const readKey = (cwd: string, file: string): Promise<string> => readInputText(cwd, file, '--checkpoint-key file');
